import { describe, expect, it } from 'vitest';
import { operatorFrom } from './operator';

describe('operatorFrom', () => {
  it('shows the demo district in demo mode when nothing is configured', () => {
    const op = operatorFrom({});
    expect(op.demo).toBe(true);
    expect(op.name?.vi).toBe('Phòng Giáo dục và Đào tạo huyện Hoà Bình');
  });

  it('names no agency in production until one is configured', () => {
    const op = operatorFrom({ GOPY_DEMO: '0' });
    expect(op).toMatchObject({ name: null, email: null, address: null, demo: false });
  });

  it('uses the configured agency, in demo mode too, and falls back for English and the privacy contact', () => {
    const op = operatorFrom({
      GOPY_OPERATOR_NAME: 'Phòng Giáo dục và Đào tạo quận Ba Đình',
      GOPY_OPERATOR_EMAIL: 'pgd@example.vn',
      GOPY_OPERATOR_ADDRESS: ' 12 Phố Đội Cấn ',
    });
    expect(op.demo).toBe(false);
    expect(op.name).toEqual({
      vi: 'Phòng Giáo dục và Đào tạo quận Ba Đình',
      en: 'Phòng Giáo dục và Đào tạo quận Ba Đình',
    });
    expect(op.address).toBe('12 Phố Đội Cấn');
    expect(op.privacyEmail).toBe('pgd@example.vn');
  });
});
