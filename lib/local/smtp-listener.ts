import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { LIMITS } from '../../lambdas/config/limits';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server-guard';

/** The SMTP envelope of one message. */
export interface SmtpEnvelope {
  /** MAIL FROM; empty for the null return path of bounces. */
  readonly mailFrom: string;
  readonly recipients: readonly string[];
}

export interface SmtpListenerHooks {
  /** Why a recipient is refused (550), or undefined to accept it. */
  refuseRecipient(address: string): Promise<string | undefined>;
  /** Takes a message in; a failure answers 451 so that the sender tries again later. */
  deliver(raw: Buffer, envelope: SmtpEnvelope): Promise<void>;
  /** Called when a message's DATA has ended, before it is delivered (the benchmark times from here). */
  onDataEnd?(envelope: SmtpEnvelope): void;
}

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/**
 * The local stand-in for SES's inbound SMTP endpoint: plain SMTP without authentication, messages up to SES's
 * size limit. Recipients are checked at RCPT time (SES's receipt rule does it by domain; here the service is
 * checked too, so that a sender learns of a typo at once). Each message is handed over only once it is
 * whole, and the sender gets its 250 only once the hand-over succeeded.
 */
export class SmtpListener {
  private readonly server: SMTPServer;

  constructor(hooks: SmtpListenerHooks, { idleMs }: Pick<ServerLimits, 'idleMs'> = DEFAULT_SERVER_LIMITS) {
    this.server = new SMTPServer({
      name: 'inresponse.local',
      banner: 'InResponse local inbound mail',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: LIMITS.maxSmtpMessageBytes,
      logger: false,
      // A silent client is cut off, as the HTTP servers cut theirs.
      socketTimeout: idleMs,
      onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
        hooks.refuseRecipient(address.address).then(
          (reason) => callback(reason ? smtpError(550, reason) : null),
          (error: unknown) => callback(smtpError(451, `try again later: ${(error as Error).message}`)),
        );
      },
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) {
        const chunks: Buffer[] = [];
        // Past the size limit the rest is read and dropped: the message is refused whole at its end.
        stream.on('data', (chunk: Buffer) => {
          if (!stream.sizeExceeded) chunks.push(chunk);
        });
        stream.on('error', () => undefined);
        stream.on('end', () => {
          if (stream.sizeExceeded) return callback(smtpError(552, `message above ${LIMITS.maxSmtpMessageBytes} bytes`));
          const { mailFrom, rcptTo } = session.envelope;
          const envelope: SmtpEnvelope = { mailFrom: mailFrom ? mailFrom.address : '', recipients: rcptTo.map((r) => r.address) };
          hooks.onDataEnd?.(envelope);
          hooks.deliver(Buffer.concat(chunks), envelope).then(
            () => callback(null),
            (error: unknown) => callback(smtpError(451, `not taken in, try again later: ${(error as Error).message}`)),
          );
        });
      },
    });
    // A client that goes away mid-session is its own business; nothing here must crash on it.
    this.server.on('error', () => undefined);
  }

  /** Listens; returns the port (0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.server.address() as { port: number }).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
