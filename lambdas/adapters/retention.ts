/** The DynamoDB TTL value (epoch seconds) of an item kept `days` from `now`. */
export const expiresAtEpoch = (now: Date, days: number): number => Math.floor(now.getTime() / 1000) + days * 86_400;
