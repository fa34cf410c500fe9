/** A message as a customer's mail client would send it: plain text, a few lines. */
export const benchMessage = (to: string, subject: string, id: string) =>
  [
    'From: Customer CTO <cto@customer.example>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@customer.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Hi, our checkout returns 502 since 10:02 CET.',
    'Order ids 1234 and 1235 failed; please have a look.',
    '',
    '-- ',
    'Customer CTO',
    '',
  ].join('\r\n');
