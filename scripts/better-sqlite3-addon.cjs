// Stands in for the `bindings` package in the runtime's CommonJS bundles (scripts/bundle-runtime.mjs):
// better-sqlite3 asks `bindings` for its addon, and `bindings` finds it from its caller's stack, which
// a bundle does not have. The addon's one path, resolved from the bundle at run time, is all it needs.
'use strict';
module.exports = () => require('better-sqlite3/build/Release/better_sqlite3.node');
