// Who runs this site: the agency named in the header, the footer and the privacy notice. It comes from the
// environment of the site's process (in the embedded runtime the same environment as the API). Demo mode, the
// default, shows the demo district so a first run looks like a real office; a production install sets its own
// and, until it does, the site names no agency rather than a made-up one.
import { env } from '$env/dynamic/private';

export interface Operator {
  /** The agency's name in Vietnamese and in English (English falls back to Vietnamese). */
  name: { vi: string; en: string } | null;
  address: string | null;
  email: string | null;
  phone: string | null;
  /** Where the privacy requests go (the person or unit in charge of personal data); the operator's email by default. */
  privacyEmail: string | null;
  /** The agency's emblem (an image URL); the site's neutral mark when unset. */
  emblemUrl: string | null;
  /** True when these are the demo district's made-up details. */
  demo: boolean;
}

const DEMO: Operator = {
  name: { vi: 'Phòng Giáo dục và Đào tạo huyện Hoà Bình', en: 'Hoà Bình District Office of Education and Training' },
  address: 'Số 1 đường Trần Hưng Đạo, thị trấn Hoà Bình, tỉnh Minh Hải',
  email: 'lienhe@pgd-hoabinh.example',
  phone: '0290 3000 000',
  privacyEmail: 'dulieucanhan@pgd-hoabinh.example',
  emblemUrl: null,
  demo: true,
};

const value = (v: string | undefined): string | null => (v && v.trim() ? v.trim() : null);

export function operatorFrom(source: Record<string, string | undefined>): Operator {
  const nameVi = value(source.GOPY_OPERATOR_NAME);
  const configured = nameVi !== null;
  const demoMode = (source.GOPY_DEMO ?? '1') !== '0' && source.GOPY_DEMO !== 'false';
  if (!configured && demoMode) return DEMO;
  const email = value(source.GOPY_OPERATOR_EMAIL);
  return {
    name: nameVi ? { vi: nameVi, en: value(source.GOPY_OPERATOR_NAME_EN) ?? nameVi } : null,
    address: value(source.GOPY_OPERATOR_ADDRESS),
    email,
    phone: value(source.GOPY_OPERATOR_PHONE),
    privacyEmail: value(source.GOPY_PRIVACY_EMAIL) ?? email,
    emblemUrl: value(source.GOPY_OPERATOR_EMBLEM_URL),
    demo: false,
  };
}

export const operator = (): Operator => operatorFrom(env);
