import * as z from 'zod';
import { withoutControlCharacters } from '../shared/text';
import { identifier } from '../shared/validation';

/** Where a status page incident stands, in Statuspage's words. `resolved` ends it. */
export const UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

export const UPDATE_STATUS_LABELS: Readonly<Record<UpdateStatus, string>> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

/** The most characters (code points, as readers count them) of an update's text. */
export const MAX_UPDATE_CHARACTERS = 2000;

/** The most components one update may name. */
const MAX_UPDATE_COMPONENTS = 100;

/**
 * A responder's update on a status page: where things stand and what readers should know, for one incident
 * (`incidentNumber`) or for the page as a whole, and the components it affects (absent: the incident's
 * service). Field errors name the field (`text`, `components.2`).
 */
export const statusUpdateSchema = z.strictObject({
  status: z.enum(UPDATE_STATUSES, { error: `must be one of ${UPDATE_STATUSES.join(', ')}` }),
  text: z
    .string({ error: 'must be text' })
    .overwrite(withoutControlCharacters)
    .trim()
    .min(1, 'must not be empty')
    .refine((s) => [...s].length <= MAX_UPDATE_CHARACTERS, `must be at most ${MAX_UPDATE_CHARACTERS} characters`),
  incidentNumber: z.int('must be a whole number').positive('must be positive').optional(),
  /** Component ids: the services of the page's components. */
  components: z
    .array(identifier)
    .min(1, 'must name at least one component')
    .max(MAX_UPDATE_COMPONENTS, `must name at most ${MAX_UPDATE_COMPONENTS} components`)
    .optional(),
});
export type StatusUpdateInput = z.output<typeof statusUpdateSchema>;

/** An update as stored: the input, with its id and when it was posted. */
export interface StatusUpdate extends StatusUpdateInput {
  readonly id: string;
  /** ISO instant. */
  readonly at: string;
}
