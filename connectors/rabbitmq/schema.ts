// The rabbitmq connector's part of pipewatch.yaml: the connector and its check.
import { z } from 'zod';
import { secretRef } from '../../config/schema-fields.js';

export const rabbitmqConnector = z
  .strictObject({
    type: z.literal('rabbitmq'),
    url: z.string().min(1).meta({ description: 'AMQP URL, e.g. "${RABBITMQ_URL}" (amqp://user:pass@host:5672).' }),
    management: z
      .strictObject({ url: z.string().min(1), username: z.string().default('guest'), password: secretRef.optional() })
      .optional()
      .meta({ description: 'The management HTTP API, for publish and deliver rates and unacknowledged counts.' }),
  })
  .meta({ description: 'A RabbitMQ broker; queues are inspected passively, never declared, consumed or changed.' });

export const queueCheck = z
  .strictObject({
    type: z.literal('queue'),
    queue: z.string().min(1),
    vhost: z.string().default('/'),
    requireConsumers: z
      .boolean()
      .default(true)
      .meta({ description: 'A queue without consumers fails, whatever its depth.' }),
  })
  .meta({
    description: 'Messages waiting in a queue (passive check: the queue is never declared, consumed or changed).',
  });
