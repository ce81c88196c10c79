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
import { checkCondition, parseCondition, type Condition, type ResponseFacts } from '../../evaluation/conditions.js';

const PEER_FILE = 'config/endpoint/condition_test.go';

function facts(f: Partial<ResponseFacts>): ResponseFacts {
  return { status: 0, responseTimeMs: 0, body: '', headers: {}, ...f };
}

// What a refusal must say: what is wrong and what to write instead.
const NOT_A_CONDITION = /is not a condition; write "<placeholder> <operator> <value>" with a space on each side/;
const CONSTANT = /compares two fixed values, so it always holds or never does; compare a placeholder/;
const NOT_A_NUMBER = /potato is not a number or a duration \(Gatus would read it as 0\); write a whole number of ms or a duration/;
const NEVER_EQUAL = /len\(\[BODY\]\.data\.name\) is a number, so it can never equal john; write a whole number/;
const CONTEXT = /\[CONTEXT\] belongs to Gatus suites, which pipewatch does not have; write the value itself/;
const WHOIS = /\[DOMAIN_EXPIRATION\] needs a WHOIS lookup, which pipewatch does not make; watch the certificate instead, e\.g\. "\[CERTIFICATE_EXPIRATION\] > 720h"/;

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
  { name: "ip", condition: "[IP] == 127.0.0.1", facts: { ip: "127.0.0.1" }, success: true, output: "[IP] == 127.0.0.1" },
  { name: "status", condition: "[STATUS] == 200", facts: { status: 200 }, success: true, output: "[STATUS] == 200" },
  { name: "status-failure", condition: "[STATUS] == 200", facts: { status: 500 }, success: false, output: "[STATUS] (500) == 200" },
  { name: "status-using-less-than", condition: "[STATUS] < 300", facts: { status: 201 }, success: true, output: "[STATUS] < 300" },
  { name: "status-using-less-than-failure", condition: "[STATUS] < 300", facts: { status: 404 }, success: false, output: "[STATUS] (404) < 300" },
  { name: "response-time-using-less-than", condition: "[RESPONSE_TIME] < 500", facts: { responseTimeMs: 50 }, success: true, output: "[RESPONSE_TIME] < 500" },
  { name: "response-time-using-less-than-with-duration", condition: "[RESPONSE_TIME] < 1s", facts: { responseTimeMs: 50 }, success: true, output: "[RESPONSE_TIME] < 1s" },
  { name: "response-time-using-less-than-invalid", condition: "[RESPONSE_TIME] < potato", facts: { responseTimeMs: 50 }, success: false, output: "[RESPONSE_TIME] (50) < potato (0)", refused: NOT_A_NUMBER },
  { name: "response-time-using-greater-than", condition: "[RESPONSE_TIME] > 500", facts: { responseTimeMs: 750 }, success: true, output: "[RESPONSE_TIME] > 500" },
  { name: "response-time-using-greater-than-with-duration", condition: "[RESPONSE_TIME] > 1s", facts: { responseTimeMs: 2000 }, success: true, output: "[RESPONSE_TIME] > 1s" },
  { name: "response-time-using-greater-than-or-equal-to-equal", condition: "[RESPONSE_TIME] >= 500", facts: { responseTimeMs: 500 }, success: true, output: "[RESPONSE_TIME] >= 500" },
  { name: "response-time-using-greater-than-or-equal-to-greater", condition: "[RESPONSE_TIME] >= 500", facts: { responseTimeMs: 499 }, success: false, output: "[RESPONSE_TIME] (499) >= 500" },
  { name: "response-time-using-greater-than-or-equal-to-failure", condition: "[RESPONSE_TIME] >= 500", facts: { responseTimeMs: 499 }, success: false, output: "[RESPONSE_TIME] (499) >= 500" },
  { name: "response-time-using-less-than-or-equal-to-equal", condition: "[RESPONSE_TIME] <= 500", facts: { responseTimeMs: 500 }, success: true, output: "[RESPONSE_TIME] <= 500" },
  { name: "response-time-using-less-than-or-equal-to-less", condition: "[RESPONSE_TIME] <= 500", facts: { responseTimeMs: 25 }, success: true, output: "[RESPONSE_TIME] <= 500" },
  { name: "response-time-using-less-than-or-equal-to-failure", condition: "[RESPONSE_TIME] <= 500", facts: { responseTimeMs: 750 }, success: false, output: "[RESPONSE_TIME] (750) <= 500" },
  { name: "body", condition: "[BODY] == test", facts: { body: "test" }, success: true, output: "[BODY] == test" },
  { name: "body-resolved-on-success", condition: "[BODY].status == UP", facts: { body: "{\"status\":\"UP\"}" }, success: true, output: "[BODY].status (UP) == UP", display: 'resolveSuccessful' },
  { name: "body-numerical-equal", condition: "[BODY] == 123", facts: { body: "123" }, success: true, output: "[BODY] == 123" },
  { name: "body-numerical-less-than", condition: "[BODY] < 124", facts: { body: "123" }, success: true, output: "[BODY] < 124" },
  { name: "body-numerical-greater-than", condition: "[BODY] > 122", facts: { body: "123" }, success: true, output: "[BODY] > 122" },
  { name: "body-numerical-greater-than-failure", condition: "[BODY] > 123", facts: { body: "100" }, success: false, output: "[BODY] (100) > 123" },
  { name: "body-jsonpath", condition: "[BODY].status == UP", facts: { body: "{\"status\":\"UP\"}" }, success: true, output: "[BODY].status == UP" },
  { name: "body-jsonpath-complex", condition: "[BODY].data.name == john", facts: { body: "{\"data\": {\"id\": 1, \"name\": \"john\"}}" }, success: true, output: "[BODY].data.name == john" },
  { name: "body-jsonpath-complex-invalid", condition: "[BODY].data.name == john", facts: { body: "{\"data\": {\"id\": 1}}" }, success: false, output: "[BODY].data.name (INVALID) == john" },
  { name: "body-jsonpath-complex-len-invalid", condition: "len([BODY].data.name) == john", facts: { body: "{\"data\": {\"id\": 1}}" }, success: false, output: "len([BODY].data.name) (INVALID) == john", refused: NEVER_EQUAL },
  { name: "body-jsonpath-double-placeholder", condition: "[BODY].user.firstName != [BODY].user.lastName", facts: { body: "{\"user\": {\"firstName\": \"john\", \"lastName\": \"doe\"}}" }, success: true, output: "[BODY].user.firstName != [BODY].user.lastName" },
  { name: "body-jsonpath-double-placeholder-failure", condition: "[BODY].user.firstName == [BODY].user.lastName", facts: { body: "{\"user\": {\"firstName\": \"john\", \"lastName\": \"doe\"}}" }, success: false, output: "[BODY].user.firstName (john) == [BODY].user.lastName (doe)" },
  { name: "body-jsonpath-when-body-is-array", condition: "[BODY][0].id == 1", facts: { body: "[{\"id\": 1}, {\"id\": 2}]" }, success: true, output: "[BODY][0].id == 1" },
  { name: "body-jsonpath-when-body-has-null-parameter", condition: "[BODY].data == OK", facts: { body: "{\"data\": null}\"" }, success: false, output: "[BODY].data (INVALID) == OK" },
  { name: "body-jsonpath-when-body-has-array-with-null", condition: "[BODY].items[0] == OK", facts: { body: "{\"items\": [null, null]}\"" }, success: false, output: "[BODY].items[0] (INVALID) == OK" },
  { name: "body-jsonpath-when-body-is-null", condition: "[BODY].data == OK", facts: { body: "null" }, success: false, output: "[BODY].data (INVALID) == OK" },
  { name: "body-jsonpath-when-body-is-array-but-actual-body-is-not", condition: "[BODY][0].name == test", facts: { body: "{\"statusCode\": 500, \"message\": \"Internal Server Error\"}" }, success: false, output: "[BODY][0].name (INVALID) == test" },
  { name: "body-jsonpath-complex-int", condition: "[BODY].data.id == 1", facts: { body: "{\"data\": {\"id\": 1}}" }, success: true, output: "[BODY].data.id == 1" },
  { name: "body-jsonpath-complex-array-int", condition: "[BODY].data[1].id == 2", facts: { body: "{\"data\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}" }, success: true, output: "[BODY].data[1].id == 2" },
  { name: "body-jsonpath-complex-int-using-greater-than", condition: "[BODY].data.id > 0", facts: { body: "{\"data\": {\"id\": 1}}" }, success: true, output: "[BODY].data.id > 0" },
  { name: "body-jsonpath-hexadecimal-int-using-greater-than", condition: "[BODY].data > 0", facts: { body: "{\"data\": \"0x1\"}" }, success: true, output: "[BODY].data > 0" },
  { name: "body-jsonpath-hexadecimal-int-using-equal-to-0x1", condition: "[BODY].data == 1", facts: { body: "{\"data\": \"0x1\"}" }, success: true, output: "[BODY].data == 1" },
  { name: "body-jsonpath-hexadecimal-int-using-equals", condition: "[BODY].data == 0x1", facts: { body: "{\"data\": \"0x1\"}" }, success: true, output: "[BODY].data == 0x1" },
  { name: "body-jsonpath-hexadecimal-int-using-equal-to-0x2", condition: "[BODY].data == 2", facts: { body: "{\"data\": \"0x2\"}" }, success: true, output: "[BODY].data == 2" },
  { name: "body-jsonpath-hexadecimal-int-using-equal-to-0xF", condition: "[BODY].data == 15", facts: { body: "{\"data\": \"0xF\"}" }, success: true, output: "[BODY].data == 15" },
  { name: "body-jsonpath-hexadecimal-int-using-equal-to-0xC0ff33", condition: "[BODY].data == 12648243", facts: { body: "{\"data\": \"0xC0ff33\"}" }, success: true, output: "[BODY].data == 12648243" },
  { name: "body-jsonpath-hexadecimal-int-len", condition: "len([BODY].data) == 3", facts: { body: "{\"data\": \"0x1\"}" }, success: true, output: "len([BODY].data) == 3" },
  { name: "body-jsonpath-hexadecimal-int-greater", condition: "[BODY].data >= 1", facts: { body: "{\"data\": \"0x01\"}" }, success: true, output: "[BODY].data >= 1" },
  { name: "body-jsonpath-hexadecimal-int-0x01-len", condition: "len([BODY].data) == 4", facts: { body: "{\"data\": \"0x01\"}" }, success: true, output: "len([BODY].data) == 4" },
  { name: "body-jsonpath-octal-int-using-greater-than", condition: "[BODY].data > 0", facts: { body: "{\"data\": \"0o1\"}" }, success: true, output: "[BODY].data > 0" },
  { name: "body-jsonpath-octal-int-using-equal", condition: "[BODY].data == 2", facts: { body: "{\"data\": \"0o2\"}" }, success: true, output: "[BODY].data == 2" },
  { name: "body-jsonpath-octal-int-using-equals", condition: "[BODY].data == 0o2", facts: { body: "{\"data\": \"0o2\"}" }, success: true, output: "[BODY].data == 0o2" },
  { name: "body-jsonpath-binary-int-using-greater-than", condition: "[BODY].data > 0", facts: { body: "{\"data\": \"0b1\"}" }, success: true, output: "[BODY].data > 0" },
  { name: "body-jsonpath-binary-int-using-equal", condition: "[BODY].data == 2", facts: { body: "{\"data\": \"0b0010\"}" }, success: true, output: "[BODY].data == 2" },
  { name: "body-jsonpath-binary-int-using-equals", condition: "[BODY].data == 0b10", facts: { body: "{\"data\": \"0b0010\"}" }, success: true, output: "[BODY].data == 0b10" },
  { name: "body-jsonpath-complex-int-using-greater-than-failure", condition: "[BODY].data.id > 5", facts: { body: "{\"data\": {\"id\": 1}}" }, success: false, output: "[BODY].data.id (1) > 5" },
  { name: "body-jsonpath-float-using-greater-than-issue433", condition: "[BODY].balance > 100", facts: { body: "{\"balance\": \"123.40000000000005\"}" }, success: true, output: "[BODY].balance > 100" },
  { name: "body-jsonpath-complex-int-using-less-than", condition: "[BODY].data.id < 5", facts: { body: "{\"data\": {\"id\": 2}}" }, success: true, output: "[BODY].data.id < 5" },
  { name: "body-jsonpath-complex-int-using-less-than-failure", condition: "[BODY].data.id < 5", facts: { body: "{\"data\": {\"id\": 10}}" }, success: false, output: "[BODY].data.id (10) < 5" },
  { name: "connected", condition: "[CONNECTED] == true", facts: { connected: true }, success: true, output: "[CONNECTED] == true" },
  { name: "connected-failure", condition: "[CONNECTED] == true", facts: { connected: false }, success: false, output: "[CONNECTED] (false) == true" },
  { name: "certificate-expiration-not-set", condition: "[CERTIFICATE_EXPIRATION] == 0", facts: {}, success: true, output: "[CERTIFICATE_EXPIRATION] == 0" },
  { name: "certificate-expiration-greater-than-numerical", condition: "[CERTIFICATE_EXPIRATION] > 2419200000", facts: { certificateExpiresInMs: 5184000000 }, success: true, output: "[CERTIFICATE_EXPIRATION] > 2419200000" },
  { name: "certificate-expiration-greater-than-numerical-failure", condition: "[CERTIFICATE_EXPIRATION] > 2419200000", facts: { certificateExpiresInMs: 1209600000 }, success: false, output: "[CERTIFICATE_EXPIRATION] (336h) > 2419200000" },
  { name: "certificate-expiration-greater-than-duration", condition: "[CERTIFICATE_EXPIRATION] > 12h", facts: { certificateExpiresInMs: 86400000 }, success: true, output: "[CERTIFICATE_EXPIRATION] > 12h" },
  { name: "certificate-expiration-greater-than-duration", condition: "[CERTIFICATE_EXPIRATION] > 48h", facts: { certificateExpiresInMs: 86400000 }, success: false, output: "[CERTIFICATE_EXPIRATION] (24h) > 48h" },
  { name: "no-placeholders", condition: "1 == 2", facts: {}, success: false, output: "1 == 2", refused: CONSTANT },
  { name: "len-body-jsonpath-complex", condition: "len([BODY].data.name) == 4", facts: { body: "{\"data\": {\"name\": \"john\"}}" }, success: true, output: "len([BODY].data.name) == 4" },
  { name: "len-body-array", condition: "len([BODY]) == 3", facts: { body: "[{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]" }, success: true, output: "len([BODY]) == 3" },
  { name: "len-body-keyed-array", condition: "len([BODY].data) == 3", facts: { body: "{\"data\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}" }, success: true, output: "len([BODY].data) == 3" },
  { name: "len-body-array-invalid", condition: "len([BODY].data) == 8", facts: { body: "{\"name\": \"john.doe\"}" }, success: false, output: "len([BODY].data) (INVALID) == 8" },
  { name: "len-body-string", condition: "len([BODY]) == 8", facts: { body: "john.doe" }, success: true, output: "len([BODY]) == 8" },
  { name: "len-body-keyed-string", condition: "len([BODY].name) == 8", facts: { body: "{\"name\": \"john.doe\"}" }, success: true, output: "len([BODY].name) == 8" },
  { name: "len-body-keyed-int", condition: "len([BODY].age) == 2", facts: { body: "{\"age\":18}" }, success: true, output: "len([BODY].age) == 2" },
  { name: "len-body-keyed-bool", condition: "len([BODY].adult) == 4", facts: { body: "{\"adult\":true}" }, success: true, output: "len([BODY].adult) == 4" },
  { name: "len-body-object-inside-array", condition: "len([BODY][0]) == 23", facts: { body: "[{\"age\":18,\"adult\":true}]" }, success: true, output: "len([BODY][0]) == 23" },
  { name: "len-body-object-keyed-int-inside-array", condition: "len([BODY][0].age) == 2", facts: { body: "[{\"age\":18,\"adult\":true}]" }, success: true, output: "len([BODY][0].age) == 2" },
  { name: "len-body-keyed-bool-inside-array", condition: "len([BODY][0].adult) == 4", facts: { body: "[{\"age\":18,\"adult\":true}]" }, success: true, output: "len([BODY][0].adult) == 4" },
  { name: "len-body-object", condition: "len([BODY]) == 20", facts: { body: "{\"name\": \"john.doe\"}" }, success: true, output: "len([BODY]) == 20" },
  { name: "pat-body-1", condition: "[BODY] == pat(*john*)", facts: { body: "{\"name\": \"john.doe\"}" }, success: true, output: "[BODY] == pat(*john*)" },
  { name: "pat-body-2", condition: "[BODY].name == pat(john*)", facts: { body: "{\"name\": \"john.doe\"}" }, success: true, output: "[BODY].name == pat(john*)" },
  { name: "pat-body-failure", condition: "[BODY].name == pat(bob*)", facts: { body: "{\"name\": \"john.doe\"}" }, success: false, output: "[BODY].name (john.doe) == pat(bob*)" },
  { name: "pat-body-html", condition: "[BODY] == pat(*<div id=\"user\">john.doe</div>*)", facts: { body: "<!DOCTYPE html><html lang=\"en\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" /></head><body><div id=\"user\">john.doe</div></body></html>" }, success: true, output: "[BODY] == pat(*<div id=\"user\">john.doe</div>*)" },
  { name: "pat-body-html-failure", condition: "[BODY] == pat(*<div id=\"user\">john.doe</div>*)", facts: { body: "<!DOCTYPE html><html lang=\"en\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" /></head><body><div id=\"user\">jane.doe</div></body></html>" }, success: false, output: "[BODY] (<!DOCTYPE html><html lang...(truncated)) == pat(*<div id=\"user\">john.doe</div>*)" },
  { name: "pat-body-html-failure-alt", condition: "pat(*<div id=\"user\">john.doe</div>*) == [BODY]", facts: { body: "<!DOCTYPE html><html lang=\"en\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" /></head><body><div id=\"user\">jane.doe</div></body></html>" }, success: false, output: "pat(*<div id=\"user\">john.doe</div>*) == [BODY] (<!DOCTYPE html><html lang...(truncated))" },
  { name: "pat-body-in-array", condition: "[BODY].data == pat(*Whatever*)", facts: { body: "{\"data\": [\"hello\", \"world\", \"Whatever\"]}" }, success: true, output: "[BODY].data == pat(*Whatever*)" },
  { name: "pat-ip", condition: "[IP] == pat(10.*)", facts: { ip: "10.0.0.0" }, success: true, output: "[IP] == pat(10.*)" },
  { name: "pat-ip-failure", condition: "[IP] == pat(10.*)", facts: { ip: "255.255.255.255" }, success: false, output: "[IP] (255.255.255.255) == pat(10.*)" },
  { name: "pat-status", condition: "[STATUS] == pat(4*)", facts: { status: 404 }, success: true, output: "[STATUS] == pat(4*)" },
  { name: "pat-status-failure", condition: "[STATUS] == pat(4*)", facts: { status: 200 }, success: false, output: "[STATUS] (200) == pat(4*)" },
  { name: "any-body-1", condition: "[BODY].name == any(john.doe, jane.doe)", facts: { body: "{\"name\": \"john.doe\"}" }, success: true, output: "[BODY].name == any(john.doe, jane.doe)" },
  { name: "any-body-2", condition: "[BODY].name == any(john.doe, jane.doe)", facts: { body: "{\"name\": \"jane.doe\"}" }, success: true, output: "[BODY].name == any(john.doe, jane.doe)" },
  { name: "any-body-failure", condition: "[BODY].name == any(john.doe, jane.doe)", facts: { body: "{\"name\": \"bob\"}" }, success: false, output: "[BODY].name (bob) == any(john.doe, jane.doe)" },
  { name: "any-status-1", condition: "[STATUS] == any(200, 429)", facts: { status: 200 }, success: true, output: "[STATUS] == any(200, 429)" },
  { name: "any-status-2", condition: "[STATUS] == any(200, 429)", facts: { status: 429 }, success: true, output: "[STATUS] == any(200, 429)" },
  { name: "any-status-reverse", condition: "any(200, 429) == [STATUS]", facts: { status: 429 }, success: true, output: "any(200, 429) == [STATUS]" },
  { name: "any-status-failure", condition: "[STATUS] == any(200, 429)", facts: { status: 404 }, success: false, output: "[STATUS] (404) == any(200, 429)" },
  { name: "any-status-failure-but-dont-resolve", condition: "[STATUS] == any(200, 429)", facts: { status: 404 }, success: false, output: "[STATUS] == any(200, 429)", display: 'dontResolveFailed' },
  { name: "has", condition: "has([BODY].errors) == false", facts: { body: "{}" }, success: true, output: "has([BODY].errors) == false" },
  { name: "has-key-of-map", condition: "has([BODY].article) == true", facts: { body: "{\n  \"article\": {\n    \"id\": 123,\n    \"title\": \"Hello, world!\",\n    \"author\": \"John Doe\",\n    \"tags\": [\"hello\", \"world\"],\n    \"content\": \"I really like Gatus!\"\n  }\n}" }, success: true, output: "has([BODY].article) == true" },
  { name: "has-failure", condition: "has([BODY].errors) == false", facts: { body: "{\"errors\": [\"1\"]}" }, success: false, output: "has([BODY].errors) (true) == false" },
  { name: "has-failure-but-dont-resolve", condition: "has([BODY].errors) == false", facts: { body: "{\"errors\": [\"1\"]}" }, success: false, output: "has([BODY].errors) == false", display: 'dontResolveFailed' },
];

/** The other tests of the file: TestCondition_evaluateWithInvalidOperator and the three [CONTEXT] (suite) tests. */
const OTHERS: Array<{ name: string; condition: string; refused: RegExp }> = [
  { name: 'TestCondition_evaluateWithInvalidOperator', condition: '[STATUS] ? 201', refused: NOT_A_CONDITION },
  { name: 'TestConditionEvaluateWithInvalidContextPlaceholder', condition: '[STATUS] == [CONTEXT].expected_statusz', refused: CONTEXT },
  { name: 'TestConditionEvaluateWithValidContextPlaceholder', condition: '[STATUS] == [CONTEXT].expected_status', refused: CONTEXT },
  { name: 'TestConditionEvaluateWithMixedValidAndInvalidContext', condition: '[RESPONSE_TIME] < [CONTEXT].invalid_key', refused: CONTEXT },
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
    test.each(VALIDATE.map(([text, accepts, refusal]) => [text, accepts, refusal ?? null] as const))('%s (Gatus accepts: %s)', (text, gatusAccepts, refusal) => {
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
    });
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
    const section = doc.slice(doc.indexOf('<!-- section: gatus -->'), doc.indexOf('<!-- section: alertmanager-matchers -->'));
    expect(section).toContain(`${tally.total} of ${tally.total} \`${PEER_FILE}\` cases pass: ${tally.passed} agree with Gatus, ${tally.refused} are refused at load.`);
  });
});
