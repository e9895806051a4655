/**
 * PyPI project names. Comparison uses the PEP 503 normal form, and validity
 * the PEP 508 name grammar: an invalid name (`_invalid-package`, `dep1_`) is
 * not a package pip could install, so it is never reported as one.
 */
const VALID_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/

/** PEP 503: lowercase, and each run of `-`, `_`, `.` becomes one `-`. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** PEP 508 name grammar (ASCII letters and digits at both ends, `._-` inside). */
export function isValidPypiName(name: string): boolean {
  return VALID_NAME.test(name)
}
