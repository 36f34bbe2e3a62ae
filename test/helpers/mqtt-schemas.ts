// What a door publishes on MQTT, as schemas the tests parse real broker messages with: Home
// Assistant's MQTT discovery for an `event` and a `sensor` entity (one device per door), and the
// door's event payload (README, "MQTT").
import { z } from 'zod';

const device = z.object({
  identifiers: z.array(z.string()).min(1),
  name: z.string(),
  manufacturer: z.string(),
  model: z.string(),
});

const common = {
  name: z.string(),
  unique_id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  device,
  availability_topic: z.string(),
  payload_available: z.literal('online'),
  payload_not_available: z.literal('offline'),
  state_topic: z.string(),
};

export const eventConfigSchema = z
  .object({ ...common, event_types: z.array(z.enum(['unlocked', 'refused', 'door_failed', 'doorbell'])) })
  .strict();

export const sensorConfigSchema = z
  .object({ ...common, value_template: z.string(), json_attributes_topic: z.string(), icon: z.string() })
  .strict();

/** A door event from the door named `door`. */
export function doorEventSchema(door: string) {
  return z
    .object({
      event_type: z.enum(['unlocked', 'refused', 'door_failed', 'doorbell']),
      id: z.uuid(),
      time: z.iso.datetime(),
      door: z.literal(door),
      reason: z.string(),
      person: z.string().nullable(),
    })
    .strict();
}
