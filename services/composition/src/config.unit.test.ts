import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('GOPY_CORS_ORIGINS', () => {
  it('is empty by default: same origin only', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  it('reads a comma-separated list of origins', () => {
    expect(
      loadConfig({ GOPY_CORS_ORIGINS: ' https://app.gopy.example , http://localhost:5173/,https://app.gopy.example' })
        .corsOrigins,
    ).toEqual(['https://app.gopy.example', 'http://localhost:5173']);
  });

  it('refuses anything that is not an origin, "*" included, naming the variable', () => {
    for (const value of ['*', 'app.gopy.example', 'https://app.gopy.example/path', 'ftp://files.example', 'null']) {
      expect(() => loadConfig({ GOPY_CORS_ORIGINS: value }), value).toThrow(ConfigError);
      expect(() => loadConfig({ GOPY_CORS_ORIGINS: value }), value).toThrow(/GOPY_CORS_ORIGINS/);
    }
  });
});

describe('GOPY_GRAPHQL_INTROSPECTION', () => {
  it('follows demo mode when unset: on in the demo, off in a real install', () => {
    expect(loadConfig({}).graphqlIntrospection).toBe(true);
    expect(loadConfig({ GOPY_DEMO: '1' }).graphqlIntrospection).toBe(true);
    expect(loadConfig({ GOPY_DEMO: '0' }).graphqlIntrospection).toBe(false);
  });

  it('decides when set', () => {
    expect(loadConfig({ GOPY_DEMO: '0', GOPY_GRAPHQL_INTROSPECTION: '1' }).graphqlIntrospection).toBe(true);
    expect(loadConfig({ GOPY_DEMO: '1', GOPY_GRAPHQL_INTROSPECTION: '0' }).graphqlIntrospection).toBe(false);
  });
});
