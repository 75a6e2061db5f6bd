import { describe, expect, it } from 'vitest';
import { fieldNameOf, functionNameOf, snakeCase } from '../../scripts/codegen/naming.js';

describe('naming', () => {
  it('should spell a SQL name in each field style of sqlc.yaml naming.fields', () => {
    expect(fieldNameOf('sandbox_id', 'camel')).toBe('sandboxId');
    expect(fieldNameOf('sandbox_id', 'pascal')).toBe('SandboxId');
    expect(fieldNameOf('sandboxId', 'snake')).toBe('sandbox_id');
    expect(fieldNameOf('sandbox_id', 'snake')).toBe('sandbox_id');
    expect(fieldNameOf('count(*)', 'none')).toBe('count(*)');
  });

  it('should spell a query name in each function style of sqlc.yaml naming.functions', () => {
    expect(functionNameOf('LoadActiveRun', 'camel')).toBe('loadActiveRun');
    expect(functionNameOf('LoadActiveRun', 'snake')).toBe('load_active_run');
    expect(functionNameOf('Delete', 'snake')).toBe('delete');
  });

  it('should keep snake_case free of leading, trailing and doubled underscores', () => {
    expect(snakeCase('emailURL')).toBe('email_url');
    expect(snakeCase('count(*)')).toBe('count');
    expect(snakeCase('_private_')).toBe('private');
  });
});
