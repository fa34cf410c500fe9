import * as z from 'zod';
import { timeZone } from '../oncall/schedule-config';
import { identifier } from '../shared/validation';

/** A status page's id, its key under `statusPages:` and the last segment of its address. */
export const statusPageId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be 1-64 lowercase letters, digits or dashes');

const displayName = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** One component of a page: a service, shown under a name of its own and, optionally, in a group. */
const componentSchema = z
  .strictObject({
    service: identifier,
    /** What readers see; the service id when absent. */
    name: displayName(100).optional(),
    /** Components with the same group are shown together under its name. */
    group: displayName(100).optional(),
  })
  .transform((c) => ({ service: c.service, name: c.name ?? c.service, ...(c.group === undefined ? {} : { group: c.group }) }));

/**
 * A status page in the config file: a title, who may read it, and its components in the order shown. Each
 * service appears at most once on a page, since the component is known by its service's id.
 */
export const statusPageConfigSchema = z
  .strictObject({
    title: displayName(200),
    /** `public`: anyone may read it at `<site>/<page>/`; `private`: only who has its secret link. */
    visibility: z.enum(['public', 'private'], { error: 'must be public or private' }),
    /** Where the page's days start and end, for its 90-day history and the times it shows. */
    timeZone: timeZone.default('UTC'),
    components: z.array(componentSchema).min(1, 'must list at least one component').max(100, 'must list at most 100 components'),
  })
  .superRefine((page, ctx) => {
    const seen = new Set<string>();
    page.components.forEach((component, i) => {
      if (seen.has(component.service)) ctx.addIssue({ code: 'custom', path: ['components', i, 'service'], message: `service ${component.service} is listed twice` });
      seen.add(component.service);
    });
  });

export type StatusPageConfig = z.output<typeof statusPageConfigSchema>;

/** A page as config apply stored it: a private page also has the secret last segment of its address. */
export type StoredStatusPage = StatusPageConfig & { readonly linkToken?: string };

/**
 * Where a page is published, under the site: `<page>` for a public page, `<page>/<link token>` for a private
 * one, whose address is its secret; none for a private page config apply has not given a token yet.
 */
export function publishedPath(pageId: string, page: StoredStatusPage): string | undefined {
  if (page.visibility === 'public') return pageId;
  return page.linkToken ? `${pageId}/${page.linkToken}` : undefined;
}
export type StatusPageComponentConfig = StatusPageConfig['components'][number];

/** The `statusPages:` section of the config file: pages by id. */
export const statusPagesSchema = z.record(statusPageId, statusPageConfigSchema);
