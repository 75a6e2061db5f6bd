import { HostError } from '../host-error.js';

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const REGISTRY = /^[A-Za-z0-9.-]+(?::[0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks an image reference of the form `[registry[:port]/]name:tag` (Docker's grammar, tag required)
 * and returns it unchanged; anything else is a `HostError` `INVALID_ARGUMENT` naming the reference.
 *
 * @example
 * ```ts
 * parseImageReference('localhost:5000/tools/alpine:3.20'); // 'localhost:5000/tools/alpine:3.20'
 * parseImageReference('alpine'); // throws: a tag is required
 * ```
 */
export function parseImageReference(reference: string): string {
  const bad = (why: string): HostError =>
    new HostError('INVALID_ARGUMENT', `image reference ${JSON.stringify(reference)} is invalid: ${why}`);
  const colon = reference.lastIndexOf(':');
  if (colon === -1 || reference.indexOf('/', colon) !== -1) throw bad('a tag is required (name:tag)');
  const path = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  if (!TAG.test(tag))
    throw bad(`tag ${JSON.stringify(tag)} must be 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  const parts = path.split('/');
  const first = parts[0] ?? '';
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !REGISTRY.test(first))
    throw bad(`registry ${JSON.stringify(first)} is not a host[:port]`);
  const name = hasRegistry ? parts.slice(1).join('/') : path;
  if (!NAME.test(name)) throw bad(`name ${JSON.stringify(name)} must be lowercase path components`);
  return reference;
}
