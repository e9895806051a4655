/**
 * A list from a playbook: a YAML list, or a string an expression gave
 * (`${{ inputs.repos }}`) with its items separated by commas. Blank items are dropped.
 */
export function splitList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}
