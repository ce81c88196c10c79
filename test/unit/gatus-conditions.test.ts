// Gatus conditions, ported case by case from TwiN/gatus config/endpoint/condition_test.go (at commit
// 08c463542f56872a267e5b2e1e1cf421f0ea8a6a; semantics in config/endpoint/condition.go, placeholder.go,
// jsonpath/jsonpath.go and pattern/pattern.go). Every case either passes — pipewatch loads the
// condition and agrees with Gatus on whether it holds, and a failure names the values Gatus shows —
// or pipewatch refuses it at load with what to write instead. None loads and then differs.
// Gatus' Result fields become pipewatch's ResponseFacts: HTTPStatus → status, Duration →
// responseTimeMs, Body → body, IP → ip, Connected → connected, CertificateExpiration →
// certificateExpiresInMs. docs/COMPATIBILITY.md (section gatus) states the counts; the last test
// checks them against this table.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, Server as HttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { httpConnector } from '../../connectors/http/index.js';
import { CollectError } from '../../connectors/types.js';
import { checkCondition, parseCondition, type Condition, type ResponseFacts } from '../../evaluation/conditions.js';

const PEER_FILE = 'config/endpoint/condition_test.go';

function facts(f: Partial<ResponseFacts>): ResponseFacts {
  return { status: 0, responseTimeMs: 0, body: '', headers: {}, ...f };
}

// What a refusal must say: what is wrong and what to write instead.
const NOT_A_CONDITION = /is not a condition; write "<placeholder> <operator> <value>" with a space on each side/;
const CONSTANT = /compares two fixed values, so it always holds or never does; compare a placeholder/;
const NOT_A_NUMBER =
  /potato is not a number or a duration \(Gatus would read it as 0\); write a whole number of ms or a duration/;
const NEVER_EQUAL = /len\(\[BODY\]\.data\.name\) is a number, so it can never equal john; write a whole number/;
const CONTEXT = /\[CONTEXT\] belongs to Gatus suites, which pipewatch does not have; write the value itself/;
const UNCLOSED = /"len\(\[BODY\]\.users" opens len\( without closing it .*; write len\(\[BODY\]\.users\)/;
const WHOIS =
  /\[DOMAIN_EXPIRATION\] needs a WHOIS lookup, which pipewatch does not make; watch the certificate instead, e\.g\. "\[CERTIFICATE_EXPIRATION\] > 720h"/;

/** TestCondition_Validate: [condition, Gatus accepts it, pipewatch's refusal when it refuses]. */
const VALIDATE: Array<[string, boolean, RegExp?]> = [
  ['[STATUS] == 200', true],
  ['[STATUS] != 200', true],
  ['[STATUS] <= 200', true],
  ['[STATUS] >= 200', true],
  ['[STATUS] < 200', true],
  ['[STATUS] > 200', true],
  ['[STATUS] == any(200, 201, 202, 203)', true],
  ['[STATUS] == [BODY].status', true],
  ['[CONNECTED] == true', true],
  ['[RESPONSE_TIME] < 500', true],
  ['[IP] == 127.0.0.1', true],
  ['[BODY] == 1', true],
  ['[BODY].test == wat', true],
  ['[BODY].test.wat == wat', true],
  ['[BODY].age == [BODY].id', true],
  ['[BODY].users[0].id == 1', true],
  ['len([BODY].users) == 100', true],
  ['len([BODY].data) < 5', true],
  ['has([BODY].errors) == false', true],
  ['has([BODY].users[0].name) == true', true],
  ['[BODY].name == pat(john*)', true],
  ['[CERTIFICATE_EXPIRATION] > 48h', true],
  ['[DOMAIN_EXPIRATION] > 720h', true, WHOIS],
  ['raw == raw', true, CONSTANT],
  ['[STATUS] ? 201', false, NOT_A_CONDITION],
  ['[STATUS]==201', false, /is not a condition; .*\(Gatus needs the spaces/],
  ['[STATUS] = = 201', false, NOT_A_CONDITION],
  ['[STATUS] ==', false, NOT_A_CONDITION],
  ['[STATUS]', false, NOT_A_CONDITION],
  // Gatus accepts it and then compares the text "len([BODY].users" with 100, which never holds.
  ['len([BODY].users == 100', true, UNCLOSED],
];

interface EvaluateCase {
  name: string;
  condition: string;
  facts: Partial<ResponseFacts>;
  /** Gatus' ExpectedSuccess and ExpectedOutput. */
  success: boolean;
  output: string;
  /** Refused at load, with this message. */
  refused?: RegExp;
  /** Gatus' display options (DontResolveFailedConditions, ResolveSuccessfulConditions) change only its output text; pipewatch always names the values. */
  display?: 'dontResolveFailed' | 'resolveSuccessful';
}

/** TestCondition_evaluate, scenario by scenario. */
const EVALUATE: EvaluateCase[] = [
  {
    name: 'ip',
    condition: '[IP] == 127.0.0.1',
    facts: { ip: '127.0.0.1' },
    success: true,
    output: '[IP] == 127.0.0.1',
  },
  { name: 'status', condition: '[STATUS] == 200', facts: { status: 200 }, success: true, output: '[STATUS] == 200' },
  {
    name: 'status-failure',
    condition: '[STATUS] == 200',
    facts: { status: 500 },
    success: false,
    output: '[STATUS] (500) == 200',
  },
  {
    name: 'status-using-less-than',
    condition: '[STATUS] < 300',
    facts: { status: 201 },
    success: true,
    output: '[STATUS] < 300',
  },
  {
    name: 'status-using-less-than-failure',
    condition: '[STATUS] < 300',
    facts: { status: 404 },
    success: false,
    output: '[STATUS] (404) < 300',
  },
  {
    name: 'response-time-using-less-than',
    condition: '[RESPONSE_TIME] < 500',
    facts: { responseTimeMs: 50 },
    success: true,
    output: '[RESPONSE_TIME] < 500',
  },
  {
    name: 'response-time-using-less-than-with-duration',
    condition: '[RESPONSE_TIME] < 1s',
    facts: { responseTimeMs: 50 },
    success: true,
    output: '[RESPONSE_TIME] < 1s',
  },
  {
    name: 'response-time-using-less-than-invalid',
    condition: '[RESPONSE_TIME] < potato',
    facts: { responseTimeMs: 50 },
    success: false,
    output: '[RESPONSE_TIME] (50) < potato (0)',
    refused: NOT_A_NUMBER,
  },
  {
    name: 'response-time-using-greater-than',
    condition: '[RESPONSE_TIME] > 500',
    facts: { responseTimeMs: 750 },
    success: true,
    output: '[RESPONSE_TIME] > 500',
  },
  {
    name: 'response-time-using-greater-than-with-duration',
    condition: '[RESPONSE_TIME] > 1s',
    facts: { responseTimeMs: 2000 },
    success: true,
    output: '[RESPONSE_TIME] > 1s',
  },
  {
    name: 'response-time-using-greater-than-or-equal-to-equal',
    condition: '[RESPONSE_TIME] >= 500',
    facts: { responseTimeMs: 500 },
    success: true,
    output: '[RESPONSE_TIME] >= 500',
  },
  {
    name: 'response-time-using-greater-than-or-equal-to-greater',
    condition: '[RESPONSE_TIME] >= 500',
    facts: { responseTimeMs: 499 },
    success: false,
    output: '[RESPONSE_TIME] (499) >= 500',
  },
  {
    name: 'response-time-using-greater-than-or-equal-to-failure',
    condition: '[RESPONSE_TIME] >= 500',
    facts: { responseTimeMs: 499 },
    success: false,
    output: '[RESPONSE_TIME] (499) >= 500',
  },
  {
    name: 'response-time-using-less-than-or-equal-to-equal',
    condition: '[RESPONSE_TIME] <= 500',
    facts: { responseTimeMs: 500 },
    success: true,
    output: '[RESPONSE_TIME] <= 500',
  },
  {
    name: 'response-time-using-less-than-or-equal-to-less',
    condition: '[RESPONSE_TIME] <= 500',
    facts: { responseTimeMs: 25 },
    success: true,
    output: '[RESPONSE_TIME] <= 500',
  },
  {
    name: 'response-time-using-less-than-or-equal-to-failure',
    condition: '[RESPONSE_TIME] <= 500',
    facts: { responseTimeMs: 750 },
    success: false,
    output: '[RESPONSE_TIME] (750) <= 500',
  },
  { name: 'body', condition: '[BODY] == test', facts: { body: 'test' }, success: true, output: '[BODY] == test' },
  {
    name: 'body-resolved-on-success',
    condition: '[BODY].status == UP',
    facts: { body: '{"status":"UP"}' },
    success: true,
    output: '[BODY].status (UP) == UP',
    display: 'resolveSuccessful',
  },
  {
    name: 'body-numerical-equal',
    condition: '[BODY] == 123',
    facts: { body: '123' },
    success: true,
    output: '[BODY] == 123',
  },
  {
    name: 'body-numerical-less-than',
    condition: '[BODY] < 124',
    facts: { body: '123' },
    success: true,
    output: '[BODY] < 124',
  },
  {
    name: 'body-numerical-greater-than',
    condition: '[BODY] > 122',
    facts: { body: '123' },
    success: true,
    output: '[BODY] > 122',
  },
  {
    name: 'body-numerical-greater-than-failure',
    condition: '[BODY] > 123',
    facts: { body: '100' },
    success: false,
    output: '[BODY] (100) > 123',
  },
  {
    name: 'body-jsonpath',
    condition: '[BODY].status == UP',
    facts: { body: '{"status":"UP"}' },
    success: true,
    output: '[BODY].status == UP',
  },
  {
    name: 'body-jsonpath-complex',
    condition: '[BODY].data.name == john',
    facts: { body: '{"data": {"id": 1, "name": "john"}}' },
    success: true,
    output: '[BODY].data.name == john',
  },
  {
    name: 'body-jsonpath-complex-invalid',
    condition: '[BODY].data.name == john',
    facts: { body: '{"data": {"id": 1}}' },
    success: false,
    output: '[BODY].data.name (INVALID) == john',
  },
  {
    name: 'body-jsonpath-complex-len-invalid',
    condition: 'len([BODY].data.name) == john',
    facts: { body: '{"data": {"id": 1}}' },
    success: false,
    output: 'len([BODY].data.name) (INVALID) == john',
    refused: NEVER_EQUAL,
  },
  {
    name: 'body-jsonpath-double-placeholder',
    condition: '[BODY].user.firstName != [BODY].user.lastName',
    facts: { body: '{"user": {"firstName": "john", "lastName": "doe"}}' },
    success: true,
    output: '[BODY].user.firstName != [BODY].user.lastName',
  },
  {
    name: 'body-jsonpath-double-placeholder-failure',
    condition: '[BODY].user.firstName == [BODY].user.lastName',
    facts: { body: '{"user": {"firstName": "john", "lastName": "doe"}}' },
    success: false,
    output: '[BODY].user.firstName (john) == [BODY].user.lastName (doe)',
  },
  {
    name: 'body-jsonpath-when-body-is-array',
    condition: '[BODY][0].id == 1',
    facts: { body: '[{"id": 1}, {"id": 2}]' },
    success: true,
    output: '[BODY][0].id == 1',
  },
  {
    name: 'body-jsonpath-when-body-has-null-parameter',
    condition: '[BODY].data == OK',
    facts: { body: '{"data": null}"' },
    success: false,
    output: '[BODY].data (INVALID) == OK',
  },
  {
    name: 'body-jsonpath-when-body-has-array-with-null',
    condition: '[BODY].items[0] == OK',
    facts: { body: '{"items": [null, null]}"' },
    success: false,
    output: '[BODY].items[0] (INVALID) == OK',
  },
  {
    name: 'body-jsonpath-when-body-is-null',
    condition: '[BODY].data == OK',
    facts: { body: 'null' },
    success: false,
    output: '[BODY].data (INVALID) == OK',
  },
  {
    name: 'body-jsonpath-when-body-is-array-but-actual-body-is-not',
    condition: '[BODY][0].name == test',
    facts: { body: '{"statusCode": 500, "message": "Internal Server Error"}' },
    success: false,
    output: '[BODY][0].name (INVALID) == test',
  },
  {
    name: 'body-jsonpath-complex-int',
    condition: '[BODY].data.id == 1',
    facts: { body: '{"data": {"id": 1}}' },
    success: true,
    output: '[BODY].data.id == 1',
  },
  {
    name: 'body-jsonpath-complex-array-int',
    condition: '[BODY].data[1].id == 2',
    facts: { body: '{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}' },
    success: true,
    output: '[BODY].data[1].id == 2',
  },
  {
    name: 'body-jsonpath-complex-int-using-greater-than',
    condition: '[BODY].data.id > 0',
    facts: { body: '{"data": {"id": 1}}' },
    success: true,
    output: '[BODY].data.id > 0',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-greater-than',
    condition: '[BODY].data > 0',
    facts: { body: '{"data": "0x1"}' },
    success: true,
    output: '[BODY].data > 0',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-equal-to-0x1',
    condition: '[BODY].data == 1',
    facts: { body: '{"data": "0x1"}' },
    success: true,
    output: '[BODY].data == 1',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-equals',
    condition: '[BODY].data == 0x1',
    facts: { body: '{"data": "0x1"}' },
    success: true,
    output: '[BODY].data == 0x1',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-equal-to-0x2',
    condition: '[BODY].data == 2',
    facts: { body: '{"data": "0x2"}' },
    success: true,
    output: '[BODY].data == 2',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-equal-to-0xF',
    condition: '[BODY].data == 15',
    facts: { body: '{"data": "0xF"}' },
    success: true,
    output: '[BODY].data == 15',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-using-equal-to-0xC0ff33',
    condition: '[BODY].data == 12648243',
    facts: { body: '{"data": "0xC0ff33"}' },
    success: true,
    output: '[BODY].data == 12648243',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-len',
    condition: 'len([BODY].data) == 3',
    facts: { body: '{"data": "0x1"}' },
    success: true,
    output: 'len([BODY].data) == 3',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-greater',
    condition: '[BODY].data >= 1',
    facts: { body: '{"data": "0x01"}' },
    success: true,
    output: '[BODY].data >= 1',
  },
  {
    name: 'body-jsonpath-hexadecimal-int-0x01-len',
    condition: 'len([BODY].data) == 4',
    facts: { body: '{"data": "0x01"}' },
    success: true,
    output: 'len([BODY].data) == 4',
  },
  {
    name: 'body-jsonpath-octal-int-using-greater-than',
    condition: '[BODY].data > 0',
    facts: { body: '{"data": "0o1"}' },
    success: true,
    output: '[BODY].data > 0',
  },
  {
    name: 'body-jsonpath-octal-int-using-equal',
    condition: '[BODY].data == 2',
    facts: { body: '{"data": "0o2"}' },
    success: true,
    output: '[BODY].data == 2',
  },
  {
    name: 'body-jsonpath-octal-int-using-equals',
    condition: '[BODY].data == 0o2',
    facts: { body: '{"data": "0o2"}' },
    success: true,
    output: '[BODY].data == 0o2',
  },
  {
    name: 'body-jsonpath-binary-int-using-greater-than',
    condition: '[BODY].data > 0',
    facts: { body: '{"data": "0b1"}' },
    success: true,
    output: '[BODY].data > 0',
  },
  {
    name: 'body-jsonpath-binary-int-using-equal',
    condition: '[BODY].data == 2',
    facts: { body: '{"data": "0b0010"}' },
    success: true,
    output: '[BODY].data == 2',
  },
  {
    name: 'body-jsonpath-binary-int-using-equals',
    condition: '[BODY].data == 0b10',
    facts: { body: '{"data": "0b0010"}' },
    success: true,
    output: '[BODY].data == 0b10',
  },
  {
    name: 'body-jsonpath-complex-int-using-greater-than-failure',
    condition: '[BODY].data.id > 5',
    facts: { body: '{"data": {"id": 1}}' },
    success: false,
    output: '[BODY].data.id (1) > 5',
  },
  {
    name: 'body-jsonpath-float-using-greater-than-issue433',
    condition: '[BODY].balance > 100',
    facts: { body: '{"balance": "123.40000000000005"}' },
    success: true,
    output: '[BODY].balance > 100',
  },
  {
    name: 'body-jsonpath-complex-int-using-less-than',
    condition: '[BODY].data.id < 5',
    facts: { body: '{"data": {"id": 2}}' },
    success: true,
    output: '[BODY].data.id < 5',
  },
  {
    name: 'body-jsonpath-complex-int-using-less-than-failure',
    condition: '[BODY].data.id < 5',
    facts: { body: '{"data": {"id": 10}}' },
    success: false,
    output: '[BODY].data.id (10) < 5',
  },
  {
    name: 'connected',
    condition: '[CONNECTED] == true',
    facts: { connected: true },
    success: true,
    output: '[CONNECTED] == true',
  },
  {
    name: 'connected-failure',
    condition: '[CONNECTED] == true',
    facts: { connected: false },
    success: false,
    output: '[CONNECTED] (false) == true',
  },
  {
    name: 'certificate-expiration-not-set',
    condition: '[CERTIFICATE_EXPIRATION] == 0',
    facts: {},
    success: true,
    output: '[CERTIFICATE_EXPIRATION] == 0',
  },
  {
    name: 'certificate-expiration-greater-than-numerical',
    condition: '[CERTIFICATE_EXPIRATION] > 2419200000',
    facts: { certificateExpiresInMs: 5184000000 },
    success: true,
    output: '[CERTIFICATE_EXPIRATION] > 2419200000',
  },
  {
    name: 'certificate-expiration-greater-than-numerical-failure',
    condition: '[CERTIFICATE_EXPIRATION] > 2419200000',
    facts: { certificateExpiresInMs: 1209600000 },
    success: false,
    output: '[CERTIFICATE_EXPIRATION] (336h) > 2419200000',
  },
  {
    name: 'certificate-expiration-greater-than-duration',
    condition: '[CERTIFICATE_EXPIRATION] > 12h',
    facts: { certificateExpiresInMs: 86400000 },
    success: true,
    output: '[CERTIFICATE_EXPIRATION] > 12h',
  },
  {
    name: 'certificate-expiration-greater-than-duration',
    condition: '[CERTIFICATE_EXPIRATION] > 48h',
    facts: { certificateExpiresInMs: 86400000 },
    success: false,
    output: '[CERTIFICATE_EXPIRATION] (24h) > 48h',
  },
  { name: 'no-placeholders', condition: '1 == 2', facts: {}, success: false, output: '1 == 2', refused: CONSTANT },
  {
    name: 'len-body-jsonpath-complex',
    condition: 'len([BODY].data.name) == 4',
    facts: { body: '{"data": {"name": "john"}}' },
    success: true,
    output: 'len([BODY].data.name) == 4',
  },
  {
    name: 'len-body-array',
    condition: 'len([BODY]) == 3',
    facts: { body: '[{"id": 1}, {"id": 2}, {"id": 3}]' },
    success: true,
    output: 'len([BODY]) == 3',
  },
  {
    name: 'len-body-keyed-array',
    condition: 'len([BODY].data) == 3',
    facts: { body: '{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}' },
    success: true,
    output: 'len([BODY].data) == 3',
  },
  {
    name: 'len-body-array-invalid',
    condition: 'len([BODY].data) == 8',
    facts: { body: '{"name": "john.doe"}' },
    success: false,
    output: 'len([BODY].data) (INVALID) == 8',
  },
  {
    name: 'len-body-string',
    condition: 'len([BODY]) == 8',
    facts: { body: 'john.doe' },
    success: true,
    output: 'len([BODY]) == 8',
  },
  {
    name: 'len-body-keyed-string',
    condition: 'len([BODY].name) == 8',
    facts: { body: '{"name": "john.doe"}' },
    success: true,
    output: 'len([BODY].name) == 8',
  },
  {
    name: 'len-body-keyed-int',
    condition: 'len([BODY].age) == 2',
    facts: { body: '{"age":18}' },
    success: true,
    output: 'len([BODY].age) == 2',
  },
  {
    name: 'len-body-keyed-bool',
    condition: 'len([BODY].adult) == 4',
    facts: { body: '{"adult":true}' },
    success: true,
    output: 'len([BODY].adult) == 4',
  },
  {
    name: 'len-body-object-inside-array',
    condition: 'len([BODY][0]) == 23',
    facts: { body: '[{"age":18,"adult":true}]' },
    success: true,
    output: 'len([BODY][0]) == 23',
  },
  {
    name: 'len-body-object-keyed-int-inside-array',
    condition: 'len([BODY][0].age) == 2',
    facts: { body: '[{"age":18,"adult":true}]' },
    success: true,
    output: 'len([BODY][0].age) == 2',
  },
  {
    name: 'len-body-keyed-bool-inside-array',
    condition: 'len([BODY][0].adult) == 4',
    facts: { body: '[{"age":18,"adult":true}]' },
    success: true,
    output: 'len([BODY][0].adult) == 4',
  },
  {
    name: 'len-body-object',
    condition: 'len([BODY]) == 20',
    facts: { body: '{"name": "john.doe"}' },
    success: true,
    output: 'len([BODY]) == 20',
  },
  {
    name: 'pat-body-1',
    condition: '[BODY] == pat(*john*)',
    facts: { body: '{"name": "john.doe"}' },
    success: true,
    output: '[BODY] == pat(*john*)',
  },
  {
    name: 'pat-body-2',
    condition: '[BODY].name == pat(john*)',
    facts: { body: '{"name": "john.doe"}' },
    success: true,
    output: '[BODY].name == pat(john*)',
  },
  {
    name: 'pat-body-failure',
    condition: '[BODY].name == pat(bob*)',
    facts: { body: '{"name": "john.doe"}' },
    success: false,
    output: '[BODY].name (john.doe) == pat(bob*)',
  },
  {
    name: 'pat-body-html',
    condition: '[BODY] == pat(*<div id="user">john.doe</div>*)',
    facts: {
      body: '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head><body><div id="user">john.doe</div></body></html>',
    },
    success: true,
    output: '[BODY] == pat(*<div id="user">john.doe</div>*)',
  },
  {
    name: 'pat-body-html-failure',
    condition: '[BODY] == pat(*<div id="user">john.doe</div>*)',
    facts: {
      body: '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head><body><div id="user">jane.doe</div></body></html>',
    },
    success: false,
    output: '[BODY] (<!DOCTYPE html><html lang...(truncated)) == pat(*<div id="user">john.doe</div>*)',
  },
  {
    name: 'pat-body-html-failure-alt',
    condition: 'pat(*<div id="user">john.doe</div>*) == [BODY]',
    facts: {
      body: '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head><body><div id="user">jane.doe</div></body></html>',
    },
    success: false,
    output: 'pat(*<div id="user">john.doe</div>*) == [BODY] (<!DOCTYPE html><html lang...(truncated))',
  },
  {
    name: 'pat-body-in-array',
    condition: '[BODY].data == pat(*Whatever*)',
    facts: { body: '{"data": ["hello", "world", "Whatever"]}' },
    success: true,
    output: '[BODY].data == pat(*Whatever*)',
  },
  {
    name: 'pat-ip',
    condition: '[IP] == pat(10.*)',
    facts: { ip: '10.0.0.0' },
    success: true,
    output: '[IP] == pat(10.*)',
  },
  {
    name: 'pat-ip-failure',
    condition: '[IP] == pat(10.*)',
    facts: { ip: '255.255.255.255' },
    success: false,
    output: '[IP] (255.255.255.255) == pat(10.*)',
  },
  {
    name: 'pat-status',
    condition: '[STATUS] == pat(4*)',
    facts: { status: 404 },
    success: true,
    output: '[STATUS] == pat(4*)',
  },
  {
    name: 'pat-status-failure',
    condition: '[STATUS] == pat(4*)',
    facts: { status: 200 },
    success: false,
    output: '[STATUS] (200) == pat(4*)',
  },
  {
    name: 'any-body-1',
    condition: '[BODY].name == any(john.doe, jane.doe)',
    facts: { body: '{"name": "john.doe"}' },
    success: true,
    output: '[BODY].name == any(john.doe, jane.doe)',
  },
  {
    name: 'any-body-2',
    condition: '[BODY].name == any(john.doe, jane.doe)',
    facts: { body: '{"name": "jane.doe"}' },
    success: true,
    output: '[BODY].name == any(john.doe, jane.doe)',
  },
  {
    name: 'any-body-failure',
    condition: '[BODY].name == any(john.doe, jane.doe)',
    facts: { body: '{"name": "bob"}' },
    success: false,
    output: '[BODY].name (bob) == any(john.doe, jane.doe)',
  },
  {
    name: 'any-status-1',
    condition: '[STATUS] == any(200, 429)',
    facts: { status: 200 },
    success: true,
    output: '[STATUS] == any(200, 429)',
  },
  {
    name: 'any-status-2',
    condition: '[STATUS] == any(200, 429)',
    facts: { status: 429 },
    success: true,
    output: '[STATUS] == any(200, 429)',
  },
  {
    name: 'any-status-reverse',
    condition: 'any(200, 429) == [STATUS]',
    facts: { status: 429 },
    success: true,
    output: 'any(200, 429) == [STATUS]',
  },
  {
    name: 'any-status-failure',
    condition: '[STATUS] == any(200, 429)',
    facts: { status: 404 },
    success: false,
    output: '[STATUS] (404) == any(200, 429)',
  },
  {
    name: 'any-status-failure-but-dont-resolve',
    condition: '[STATUS] == any(200, 429)',
    facts: { status: 404 },
    success: false,
    output: '[STATUS] == any(200, 429)',
    display: 'dontResolveFailed',
  },
  {
    name: 'has',
    condition: 'has([BODY].errors) == false',
    facts: { body: '{}' },
    success: true,
    output: 'has([BODY].errors) == false',
  },
  {
    name: 'has-key-of-map',
    condition: 'has([BODY].article) == true',
    facts: {
      body: '{\n  "article": {\n    "id": 123,\n    "title": "Hello, world!",\n    "author": "John Doe",\n    "tags": ["hello", "world"],\n    "content": "I really like Gatus!"\n  }\n}',
    },
    success: true,
    output: 'has([BODY].article) == true',
  },
  {
    name: 'has-failure',
    condition: 'has([BODY].errors) == false',
    facts: { body: '{"errors": ["1"]}' },
    success: false,
    output: 'has([BODY].errors) (true) == false',
  },
  {
    name: 'has-failure-but-dont-resolve',
    condition: 'has([BODY].errors) == false',
    facts: { body: '{"errors": ["1"]}' },
    success: false,
    output: 'has([BODY].errors) == false',
    display: 'dontResolveFailed',
  },
];

/** The other tests of the file: TestCondition_evaluateWithInvalidOperator and the three [CONTEXT] (suite) tests. */
const OTHERS: Array<{ name: string; condition: string; refused: RegExp }> = [
  { name: 'TestCondition_evaluateWithInvalidOperator', condition: '[STATUS] ? 201', refused: NOT_A_CONDITION },
  {
    name: 'TestConditionEvaluateWithInvalidContextPlaceholder',
    condition: '[STATUS] == [CONTEXT].expected_statusz',
    refused: CONTEXT,
  },
  {
    name: 'TestConditionEvaluateWithValidContextPlaceholder',
    condition: '[STATUS] == [CONTEXT].expected_status',
    refused: CONTEXT,
  },
  {
    name: 'TestConditionEvaluateWithMixedValidAndInvalidContext',
    condition: '[RESPONSE_TIME] < [CONTEXT].invalid_key',
    refused: CONTEXT,
  },
];

/** The values Gatus shows in parentheses after a side, e.g. "[STATUS] (500) == 200" → 500. */
function shownValues(output: string): string[] {
  return [...output.matchAll(/ \(([^()]*)\)/g)].map((m) => m[1]!);
}

const tally = { passed: 0, refused: 0, total: 0 };
function count(outcome: 'passed' | 'refused') {
  tally[outcome]++;
  tally.total++;
}

describe(`Gatus ${PEER_FILE}`, () => {
  describe('TestCondition_Validate', () => {
    // Rows padded to three values: jest hands a function with more parameters than the row a done callback.
    test.each(VALIDATE.map(([text, accepts, refusal]) => [text, accepts, refusal ?? null] as const))(
      '%s (Gatus accepts: %s)',
      (text, gatusAccepts, refusal) => {
        const parsed = parseCondition(text);
        if (refusal) {
          expect(parsed).toEqual(expect.stringContaining(`"${text}"`));
          expect(parsed).toMatch(refusal);
          count('refused');
        } else {
          // Gatus refuses nothing pipewatch accepts here: only its accepted conditions may load.
          expect(gatusAccepts).toBe(true);
          expect(typeof parsed).toBe('object');
          count('passed');
        }
      },
    );
  });

  describe('TestCondition_evaluate', () => {
    test.each(EVALUATE.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const parsed = parseCondition(c.condition);
      if (c.refused) {
        expect(parsed).toEqual(expect.stringContaining(`"${c.condition}"`));
        expect(parsed).toMatch(c.refused);
        count('refused');
        return;
      }
      expect(typeof parsed).toBe('object');
      const why = checkCondition(parsed as Condition, facts(c.facts));
      if (c.success) expect(why).toBeUndefined();
      else {
        expect(why).toEqual(expect.any(String));
        // The reason names what Gatus resolves: each value it shows, a missing field, the certificate's time left.
        for (const value of shownValues(c.output)) {
          if (value === 'INVALID') expect(why).toMatch(/is not in the body \(missing or null\)|the body is not JSON/);
          else if (/^\d+h$/.test(value)) expect(why).toBe(`the certificate expires in ${value}`);
          else if (!value.endsWith('...')) expect(why).toContain(value);
        }
        // A value Gatus truncates for display (a long body before pat()) is still named by its start.
        if (c.output.includes('...(truncated)')) expect(why).toContain('<!DOCTYPE html><html lang');
      }
      count('passed');
    });
  });

  describe('other tests of the file', () => {
    test.each(OTHERS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const parsed = parseCondition(c.condition);
      expect(parsed).toEqual(expect.stringContaining(`"${c.condition}"`));
      expect(parsed).toMatch(c.refused);
      count('refused');
    });
  });

  test('docs/COMPATIBILITY.md states these counts', () => {
    expect(tally.total).toBe(VALIDATE.length + EVALUATE.length + OTHERS.length);
    const doc = readFileSync(new URL('../../docs/COMPATIBILITY.md', import.meta.url), 'utf8');
    const section = doc.slice(
      doc.indexOf('<!-- section: gatus -->'),
      doc.indexOf('<!-- section: alertmanager-matchers -->'),
    );
    expect(section).toContain(
      `${tally.total} of ${tally.total} \`${PEER_FILE}\` cases pass: ${tally.passed} agree with Gatus, ${tally.refused} are refused at load.`,
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Beyond the peer's table: what issue 16 saw load and then differ. Not counted in the peer's cases.

const holds = (condition: string, f: Partial<ResponseFacts>) => {
  const parsed = parseCondition(condition);
  if (typeof parsed === 'string') throw new Error(parsed);
  return checkCondition(parsed, facts(f));
};

describe('issue 16: what loaded and then differed', () => {
  test('any() on either side, with == and !=', () => {
    expect(holds('[STATUS] == any(200, 429)', { status: 429 })).toBeUndefined();
    expect(holds('[STATUS] == any(200, 429)', { status: 500 })).toBe('got 500');
    expect(holds('[BODY].status != any(DOWN, ERROR)', { body: '{"status":"UP"}' })).toBeUndefined();
    expect(holds('[BODY].status != any(DOWN, ERROR)', { body: '{"status":"DOWN"}' })).toBe('got DOWN');
    // A monitor on a field that disappeared alerts instead of holding forever.
    expect(holds('[BODY].status != any(DOWN, ERROR)', { body: '{"state":"DOWN"}' })).toBe(
      '[BODY].status is not in the body (missing or null)',
    );
  });

  test('durations next to time placeholders, as Go writes them (and days, pipewatch’s extension)', () => {
    expect(holds('[RESPONSE_TIME] < 1s', { responseTimeMs: 999.9 })).toBeUndefined();
    expect(holds('[RESPONSE_TIME] < 1s', { responseTimeMs: 1000 })).toBe('got 1000');
    expect(holds('[RESPONSE_TIME] <= 1.5s', { responseTimeMs: 1500 })).toBeUndefined();
    expect(holds('[CERTIFICATE_EXPIRATION] > 7d', { certificateExpiresInMs: 8 * 86_400_000 })).toBeUndefined();
    expect(holds('[CERTIFICATE_EXPIRATION] > 7d', { certificateExpiresInMs: 6 * 86_400_000 })).toBe(
      'the certificate expires in 144h',
    );
    expect(holds('[CERTIFICATE_EXPIRATION] > 48h', {})).toBe('no TLS certificate (not an https URL)');
  });

  test.each([
    ['[RESPONSE_TIME] < fast', /fast is not a number or a duration \(Gatus would read it as 0\)/],
    ['[RESPONSE_TIME] < 1.5', /Gatus compares whole numbers and would read 1\.5 as 1/],
    ['[STATUS] >== 200', /is not a condition; .*knows no ===, >==/],
    ['[STATUS] === 200', /is not a condition; .*knows no ===, >==/],
    ['[STATUS] == 200 || [STATUS] == 429', /== appears more than once.*any\(200, 429\)/],
    [
      '[STATUS] == 200 || 429',
      /holds a second operator \(\|\|\); a condition is one comparison\. Gatus has no \|\| or &&.*any\(200, 429\)/,
    ],
    ['[STATUS] < 200 || [STATUS] > 299', /holds a second operator \(<\)/],
    ['[BODY].a < 5 == [BODY].b', /holds a second operator \(<\)/],
    ['[BODY].status == "UP"', /Gatus compares "UP" with its quotes; write the value without them \(UP\)/],
    ['[BODY].name == ""', /for an empty value, len\(\.\.\.\) == 0/],
    ['[BODY].name == ', /a side of the condition is empty; for an empty value write len\(\[BODY\]\.field\) == 0/],
    ['[STATUS] == OK', /\[STATUS\] is a number, so it can never equal OK/],
    ['[STATUS] == 0200', /octal number 128/],
    ['[RESPONSE_TIME] == 1s', /== and != compare whole numbers of ms, so \[RESPONSE_TIME\] == 1s is never true/],
    ['[CONNECTED] == yes', /\[CONNECTED\] is true or false/],
    ['[CONNECTED] < 1', /\[CONNECTED\] is true or false/],
    ['has([BODY].errors) == 0', /has\(\[BODY\]\.errors\) is true or false/],
    ['len([STATUS]) == 3', /len\(\[STATUS\]\) is the number of characters of its digits/],
    ['[STATUS] == any(200, OK)', /"OK" can never match/],
    ['[STATUS] < any(200, 429)', /works with == and != only/],
    ['[BODY].ids == any([STATUS], 5)', /Gatus does not read placeholders inside it/],
    ['[BODY] == pat([a)', /pat\(\[a\) is not a valid pattern: a \[ is not closed/],
    ['[BODY] == pat(a\\)', /is not a valid pattern: it ends with a lone/],
    ['[DOMAIN_EXPIRATION] > 720h', /WHOIS.*\[CERTIFICATE_EXPIRATION\] > 720h/],
    ['[DNS_RCODE] == NOERROR', /belongs to Gatus DNS endpoints/],
    ['[STATUSCODE] == 200', /unknown placeholder \[STATUSCODE\]; use one of \[STATUS\]/],
    ['[STATUS].code == 200', /\[STATUS\] has no fields/],
    ['[BODY].items[x] == 1', /"items\[x\]" is not a field or an index/],
    ['[BODY].a..b == 1', /"" is not a field or an index/],
    ['[BODY] =~ (?=x)', /does not compile under RE2 \(.*no lookahead or lookbehind\)/],
    ['[STATUS] > 18446744073709551616', /beyond 64 bits/],
    ['200 == 200', /two fixed values/],
  ])('%s is refused at load', (condition, why) => {
    const parsed = parseCondition(condition);
    expect(parsed).toEqual(expect.stringContaining(`"${condition}"`));
    expect(parsed).toMatch(why);
  });

  test('a missing field equals nothing; only has() tests for it', () => {
    expect(holds('[BODY].missing == undefined', { body: '{}' })).toBe(
      '[BODY].missing is not in the body (missing or null)',
    );
    expect(holds('[BODY].missing != UP', { body: '{}' })).toBe('[BODY].missing is not in the body (missing or null)');
    expect(holds('[BODY].gone == null', { body: '{"gone":null}' })).toBe(
      '[BODY].gone is not in the body (missing or null)',
    );
    expect(holds('has([BODY].missing) == false', { body: '{}' })).toBeUndefined();
    expect(holds('has([BODY].gone) == false', { body: '{"gone":null}' })).toBeUndefined();
    expect(holds('has([BODY].x) == false', { body: 'not json' })).toBeUndefined();
  });

  test('own fields only: no prototype behind a path', () => {
    for (const field of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(holds(`has([BODY].${field}) == false`, { body: '{"a":1}' })).toBeUndefined();
      expect(holds(`len([BODY].${field}) > 0`, { body: '{"a":1}' })).toBe(
        `[BODY].${field} is not in the body (missing or null)`,
      );
    }
    expect(holds('[BODY].__proto__ == x', { body: '{"__proto__":"x"}' })).toBeUndefined();
    expect(holds('[BODY].length == 2', { body: '[1,2]' })).toBe('[BODY].length is not in the body (missing or null)');
  });

  test('an empty value is not 0', () => {
    expect(holds('[BODY].count == 0', { body: '{"count":""}' })).toBe('got an empty value');
    expect(holds('[BODY].count < 1', { body: '{"count":""}' })).toBe('got an empty value, which is not a number');
    expect(holds('len([BODY].count) == 0', { body: '{"count":""}' })).toBeUndefined();
    expect(holds('[BODY].count == 0', { body: '{"count":0}' })).toBeUndefined();
  });

  test('integers are compared exactly, beyond 2^53 and beyond 64 bits', () => {
    expect(holds('[BODY].id == 9007199254740993', { body: '{"id":9007199254740992}' })).toBe('got 9007199254740992');
    expect(holds('[BODY].id == 9007199254740993', { body: '{"id":9007199254740993}' })).toBeUndefined();
    expect(holds('[BODY].id > 9007199254740992', { body: '{"id":9007199254740993}' })).toBeUndefined();
    expect(holds('[BODY].id != 12345678901234567891', { body: '{"id":12345678901234567892}' })).toBeUndefined();
    expect(
      holds('[BODY].id == [BODY].copy', { body: '{"id":12345678901234567891,"copy":"12345678901234567891"}' }),
    ).toBeUndefined();
    expect(holds('[BODY].count == 1234567', { body: '{"count":1234567}' })).toBeUndefined();
    // Go syntax, as Gatus reads integers: hexadecimal, octal, binary, underscores.
    expect(holds('[BODY].flags == 0xFF', { body: '{"flags":"255"}' })).toBeUndefined();
    expect(holds('[BODY].n == 1_000', { body: '{"n":1000}' })).toBeUndefined();
    // A float is printed as Go prints a float64, and truncated next to < and >.
    expect(holds('[BODY].ratio == 0.5', { body: '{"ratio":0.50}' })).toBeUndefined();
    expect(holds('[BODY].ratio > 0', { body: '{"ratio":0.9}' })).toBe('got 0.9');
  });

  test('the body is trimmed as Go trims it', () => {
    expect(holds('[BODY] == OK', { body: 'OK\n' })).toBeUndefined();
    expect(holds('[BODY] == OK', { body: '\u00a0 OK\r\n\u0085' })).toBeUndefined();
    // U+FEFF is not white space to Go.
    expect(holds('[BODY] == OK', { body: '\ufeffOK' })).toBe('got \ufeffOK');
    // len([BODY]) counts the bytes as received, as Gatus does; a JSON array counts its elements.
    expect(holds('len([BODY]) == 3', { body: 'OK\n' })).toBeUndefined();
    expect(holds('len([BODY]) == 6', { body: 'héllo' })).toBeUndefined();
    expect(holds('len([BODY]) == 2', { body: '[{"a":1},{"b":[2,3]}]' })).toBeUndefined();
  });

  test('pat() is a wildcard pattern matched whole, never a regular expression', () => {
    expect(holds('[BODY].name == pat(john)', { body: '{"name":"john.doe"}' })).toBe('got john.doe');
    expect(holds('[BODY].name == pat(john*)', { body: '{"name":"john.doe"}' })).toBeUndefined();
    expect(holds('[BODY].name == pat(j?hn.*)', { body: '{"name":"john.doe"}' })).toBeUndefined();
    expect(holds('[BODY].name == pat(john.d[a-o]e)', { body: '{"name":"john.doe"}' })).toBeUndefined();
    expect(holds('[BODY].name == pat(john.d[^o]e)', { body: '{"name":"john.doe"}' })).toBe('got john.doe');
    // "." and "+" are plain characters; "\*" is a literal star.
    expect(holds('[BODY].v == pat(a.+)', { body: '{"v":"aaa"}' })).toBe('got aaa');
    expect(holds('[BODY].v == pat(a\\*)', { body: '{"v":"a*"}' })).toBeUndefined();
    expect(holds('[BODY].v == pat(a\\*)', { body: '{"v":"ab"}' })).toBe('got ab');
    // Gatus removes "/" from both before matching, and * spans lines.
    expect(holds('[BODY] == pat(*api/v2*)', { body: 'GET /api/v2/items' })).toBeUndefined();
    expect(holds('[BODY] == pat(*up*)', { body: 'line one\nall up\nline three' })).toBeUndefined();
    expect(holds('[STATUS] != pat(5*)', { status: 503 })).toBe('got 503');
  });

  test('=~ and !~ are pipewatch’s: RE2, found anywhere in the value', () => {
    expect(holds('[BODY] =~ "heal?thy"', { body: 'I am healthy now' })).toBeUndefined();
    expect(holds('[BODY] =~ ^healthy$', { body: 'I am healthy now' })).toBe('got I am healthy now');
    expect(holds('[BODY].msg !~ (?i)error', { body: '{"msg":"An ERROR occurred"}' })).toBe('got An ERROR occurred');
    expect(
      holds('[HEADER].content-type =~ ^application/json', {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      }),
    ).toBeUndefined();
    // Linear time: a nested quantifier over a long body answers at once.
    expect(holds('[BODY] =~ (a+)+$', { body: `${'a'.repeat(50_000)}!` })).toBe(`got ${'a'.repeat(117)}...`);
  });

  test('placeholders on either side and case-insensitive names, as Gatus', () => {
    expect(holds('[BODY].expected == [STATUS]', { status: 204, body: '{"expected":"204"}' })).toBeUndefined();
    expect(holds('500 > [RESPONSE_TIME]', { responseTimeMs: 40 })).toBeUndefined();
    expect(holds('[status] == 200', { status: 200 })).toBeUndefined();
    expect(holds('[BODY].a == [BODY].b', { body: '{"a":"x","b":"y"}' })).toBe('got x and y');
  });

  test('a value nested past Go’s limit is not compared', () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    expect(holds('[BODY][0] == 1', { body: deep })).toBe('got a value nested too deeply to compare');
    expect(holds('has([BODY][0]) == false', { body: deep })).toBeUndefined();
  });
});

// [CONNECTED] and [IP] are facts the connector collects: checked against loopback sockets of this
// process (a real HTTP server, a port nobody listens on, a server that answers something not HTTP).
describe('the http connector collects [CONNECTED] and [IP]', () => {
  const servers: Array<{ close(cb: () => void): void }> = [];
  const listen = (server: Server | ReturnType<typeof createTcpServer>) =>
    new Promise<number>((resolve) => {
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  let httpPort: number;
  let garbagePort: number;
  let closedPort: number;
  beforeAll(async () => {
    httpPort = await listen(
      createHttpServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}\n'),
      ),
    );
    // resume(): a socket nobody reads never sees the client hang up, and would hold the server open.
    garbagePort = await listen(createTcpServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.6\r\n')));
    const closed = createTcpServer();
    closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.pop();
  });
  afterAll(() =>
    Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            // Keep-alive connections would hold an HTTP server open until they time out.
            if (s instanceof HttpServer) s.closeAllConnections();
          }),
      ),
    ),
  );

  const probe = (url: string, conditions: string[]) => {
    for (const c of conditions) expect(typeof parseCondition(c)).toBe('object');
    const connector = httpConnector.create('probe', {
      type: 'http',
      url,
      headers: {},
      timeout: 3_000,
      rejectUnauthorized: true,
    });
    return connector.collect({
      check: { type: 'http', path: '/health', method: 'GET', conditions, conditionSeverity: 'critical' },
      at: new Date(),
    });
  };

  test('an answer: connected, and the address it came from', async () => {
    const m = await probe(`http://127.0.0.1:${httpPort}`, [
      '[CONNECTED] == true',
      '[IP] == 127.0.0.1',
      '[BODY] == {"status":"UP"}',
      '[BODY].status == UP',
    ]);
    expect(m.failed).toBeUndefined();
    expect(m.details).toMatchObject({ status: 200, ip: '127.0.0.1' });
    const byName = await probe(`http://localhost:${httpPort}`, [
      '[IP] == any(127.0.0.1, ::1)',
      '[IP] == pat(127.*)',
      '[CONNECTED] == false',
    ]);
    expect(byName.failed).toEqual([{ condition: '[CONNECTED] == false', reason: 'got true' }]);
  });

  test('a refused connection is [CONNECTED] false, judged by the conditions', async () => {
    const down = await probe(`http://127.0.0.1:${closedPort}`, ['[CONNECTED] == false']);
    expect(down.failed).toBeUndefined();
    expect(down.details).toMatchObject({
      status: 0,
      connected: false,
      noAnswer: 'the connection was refused',
      ip: '127.0.0.1',
    });
    const up = await probe(`http://127.0.0.1:${closedPort}`, [
      '[CONNECTED] == true',
      '[STATUS] == 200',
      '[BODY].status == UP',
    ]);
    expect(up.failed).toEqual([
      { condition: '[CONNECTED] == true', reason: 'got false (no answer: the connection was refused)' },
      { condition: '[STATUS] == 200', reason: 'got 0 (no answer: the connection was refused)' },
      { condition: '[BODY].status == UP', reason: 'the body is not JSON (no answer: the connection was refused)' },
    ]);
  });

  test('an answer that is not HTTP is not a connection either', async () => {
    const m = await probe(`http://127.0.0.1:${garbagePort}`, ['[CONNECTED] == false']);
    expect(m.failed).toBeUndefined();
    expect(String(m.details!.noAnswer)).toMatch(/^the answer is not valid HTTP/);
  });

  test('without a [CONNECTED] condition, no answer stays "could not check"', async () => {
    await expect(probe(`http://127.0.0.1:${closedPort}`, ['[STATUS] == 200'])).rejects.toThrow(CollectError);
    await expect(probe(`http://127.0.0.1:${closedPort}`, ['[STATUS] == 200'])).rejects.toThrow(
      `http connector "probe": GET http://127.0.0.1:${closedPort}/health: the connection was refused`,
    );
  });
});
