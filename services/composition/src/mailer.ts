import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer } from '@gopy/application/ports';
import { privateFolder } from '@gopy/adapters/privateFiles';

const FROM = 'Góp ý <no-reply@gopy.local>';

/** SMTP when SMTP_URL is set; otherwise each mail is written as an .eml file under <data>/mail and its links logged. */
export function createMailer(smtpUrl: string | undefined, dataDir: string, log: (msg: string) => void): Mailer {
  if (smtpUrl) {
    const transport = nodemailer.createTransport(smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ from: FROM, ...mail });
      },
    };
  }
  const dir = path.join(dataDir, 'mail');
  privateFolder(dir, log);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let counter = 0;
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: FROM, ...mail });
      const file = path.join(dir, `${Date.now()}-${String(++counter).padStart(4, '0')}.eml`);
      fs.writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
      log(`mail "${mail.subject}" written to ${file}${links.length ? `; links: ${links.join(' ')}` : ''}`);
    },
  };
}

/**
 * Erasure: deletes the mails written under <data>/mail that were sent to this address (they hold the address and often
 * the name). Mails already handed to an SMTP server are outside the system; the erasure report says so.
 * Answers how many files were deleted.
 */
export function eraseMailsTo(dataDir: string, email: string): number {
  const dir = path.join(dataDir, 'mail');
  if (!fs.existsSync(dir)) return 0;
  const needle = email.trim().toLowerCase();
  let deleted = 0;
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.eml')) continue;
    const file = path.join(dir, name);
    if (fs.readFileSync(file, 'utf8').toLowerCase().includes(needle)) {
      // Overwrite before unlinking, so the text is not left in the freed blocks of a simple file system.
      const size = fs.statSync(file).size;
      fs.writeFileSync(file, Buffer.alloc(size));
      fs.rmSync(file);
      deleted += 1;
    }
  }
  return deleted;
}
