import { describe, expect, it } from 'vitest';
import { buildSandboxConfig, type ImageDefaults } from '../../src/host/create-sandbox.js';
import { toSandboxRecord } from '../../src/host/records.js';
import { HostError } from '../../src/sandbox/errors.js';

const IMAGE: ImageDefaults = {
  reference: 'app:1',
  digest: 'sha256:abc',
  entrypoint: ['/bin/sh', '-c'],
  cmd: ['sleep 60'],
  env: { PATH: '/usr/bin', MODE: 'image' },
  workingDir: '/srv',
};

describe('buildSandboxConfig', () => {
  it('should take command and args as given without an image', () => {
    expect(buildSandboxConfig({ name: 'a', command: 'sleep', args: ['5'] })).toEqual({
      command: 'sleep',
      args: ['5'],
      env: {},
      workingDir: null,
      image: null,
      metricsIntervalMs: 1000,
    });
  });

  it("should default to the image's entrypoint + cmd, env and working dir, and keep its digest", () => {
    expect(buildSandboxConfig({ name: 'a', env: { MODE: 'mine' } }, IMAGE)).toEqual({
      command: '/bin/sh',
      args: ['-c', 'sleep 60'],
      env: { PATH: '/usr/bin', MODE: 'mine' },
      workingDir: '/srv',
      image: { reference: 'app:1', digest: 'sha256:abc' },
      metricsIntervalMs: 1000,
    });
  });

  it("should replace the image's cmd by args, and entrypoint + cmd by a command", () => {
    expect(buildSandboxConfig({ name: 'a', args: ['echo hi'] }, IMAGE)).toMatchObject({
      command: '/bin/sh',
      args: ['-c', 'echo hi'],
    });
    expect(buildSandboxConfig({ name: 'a', command: 'true', workingDir: '/tmp' }, IMAGE)).toMatchObject({
      command: 'true',
      args: [],
      workingDir: '/tmp',
    });
  });

  it('should refuse no command, a relative working dir and a tiny interval, naming the sandbox', () => {
    const invalid = (message: string) =>
      expect.objectContaining({
        name: 'HostError',
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
    expect(() => buildSandboxConfig({ name: 'a' })).toThrow(invalid('sandbox "a": no command given'));
    expect(() => buildSandboxConfig({ name: 'b' }, { ...IMAGE, entrypoint: [], cmd: [] })).toThrow(
      invalid('sandbox "b": no command given and image "app:1" has no entrypoint or cmd'),
    );
    expect(() => buildSandboxConfig({ name: 'c', command: 'x', workingDir: 'rel' })).toThrow(
      invalid('sandbox "c": working directory "rel" must be an absolute path'),
    );
    expect(() => buildSandboxConfig({ name: 'd', command: 'x', metricsIntervalMs: 1 })).toThrow(
      invalid('sandbox "d": metrics interval'),
    );
    expect(() => buildSandboxConfig({ name: 'f', command: 'x', metricsIntervalMs: 3e9 })).toThrow(
      invalid('sandbox "f": metrics interval must be a whole number of milliseconds from 10 to 2147483647'),
    );
    expect(() => buildSandboxConfig({ name: 'e' })).toThrow(HostError);
  });
});

describe('toSandboxRecord', () => {
  const parseSandboxConfig = (json: string, name: string) =>
    toSandboxRecord({
      id: 1,
      name,
      status: 'Stopped',
      config: json,
      startDeadline: null,
      createdAt: '',
      updatedAt: '',
    }).config;

  it('should give back what buildSandboxConfig stored', () => {
    const config = buildSandboxConfig({ name: 'a', env: { A: '1' } }, IMAGE);
    expect(parseSandboxConfig(JSON.stringify(config), 'a')).toEqual(config);
  });

  it('should refuse a damaged config with SANDBOX_CONFIG_INVALID naming the sandbox and key', () => {
    const good = buildSandboxConfig({ name: 'a', command: 'true' });
    const damaged = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    const invalid = (message: string) =>
      expect.objectContaining({
        code: 'SANDBOX_CONFIG_INVALID',
        message: `sandbox "a": config ${message}; once stopped it can still be removed`,
      });
    expect(() => parseSandboxConfig('{', 'a')).toThrow(
      expect.objectContaining({
        code: 'SANDBOX_CONFIG_INVALID',
        message: expect.stringMatching(/^sandbox "a": config is not valid JSON: /),
      }),
    );
    expect(() => parseSandboxConfig(damaged({ args: [1] }), 'a')).toThrow(
      invalid('key "args" must be an array of strings'),
    );
    expect(() => parseSandboxConfig(damaged({ env: { B: 2 } }), 'a')).toThrow(
      invalid('key "env" value of "B" must be a string'),
    );
    expect(() => parseSandboxConfig(damaged({ workingDir: 'rel' }), 'a')).toThrow(
      invalid('key "workingDir" must be an absolute path or null'),
    );
    expect(() => parseSandboxConfig(damaged({ image: { reference: 'x' } }), 'a')).toThrow(
      invalid('key "image" must be null or { reference, digest } strings'),
    );
    expect(() => parseSandboxConfig(damaged({ metricsIntervalMs: 5 }), 'a')).toThrow(
      invalid('key "metricsIntervalMs" must be null or a whole number of milliseconds >= 10'),
    );
    // Rows written before the CLI bounded the interval stay readable.
    expect(parseSandboxConfig(damaged({ metricsIntervalMs: 2 ** 31 }), 'a').metricsIntervalMs).toBe(2 ** 31);
  });
});
