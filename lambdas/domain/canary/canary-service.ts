/**
 * The service and team of InResponse's canary, reserved: the config file may not name them, `config apply`
 * leaves their items alone, and their incidents stay out of the default incident list, reports, status pages,
 * announcements and the incident metrics.
 */
export const CANARY_SERVICE = 'inresponse-canary';
export const CANARY_TEAM = 'inresponse-canary';

/** Whether an incident (or event) is the canary's. */
export const isCanaryService = (service: string): boolean => service === CANARY_SERVICE;
