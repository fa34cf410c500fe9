/** SES's ids of the messages it sends, in any region: `id@email.amazonses.com`, `id@eu-west-1.amazonses.com`. */
const SES_MESSAGE_ID = /^([^@]+)@(?:[a-z0-9-]+\.)?amazonses\.com$/i;

/** The Message-ID recipients see on a message SES sent with this id, which their replies refer to. */
export const sesMessageIdHeader = (sesMessageId: string) => `${sesMessageId}@email.amazonses.com`;

/** A message id (without angle brackets) with SES's regional domains made one, so a reply finds its page. */
export function normaliseSesMessageId(id: string): string {
  const ses = SES_MESSAGE_ID.exec(id);
  return ses ? sesMessageIdHeader(ses[1]!) : id;
}
