import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer } from '@gopy/application/ports';

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
  fs.mkdirSync(dir, { recursive: true });
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
