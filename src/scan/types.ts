import type { EcosystemId } from '../ecosystems/types.js'

export const SCAN_SCHEMA = 'firebreak.scan/1'

export interface ScanRepo {
  name: string
  ref?: string
  commit?: string
  /** Every manifest and lockfile read, relative to the repository root. */
  files: string[]
}

export interface ScanPackage {
  repo: string
  file: string
  line?: number
  ecosystem: EcosystemId
  name: string
  version: string
  direct: boolean
  dev: boolean
  paths?: string[][]
}

export type Certainty = 'resolved' | 'range'

/** A package an advisory names as affected, where it was found. */
export interface Finding extends Omit<ScanPackage, 'paths'> {
  advisory: string
  /** `version` is the resolved version; for certainty "range", the range as written. */
  certainty: Certainty
  paths: string[][]
}

export interface ScanError {
  repo: string
  file: string
  line?: number
  message: string
}

/** DESIGN.md's `firebreak scan --json` contract. */
export interface ScanResult {
  schema: typeof SCAN_SCHEMA
  repos: ScanRepo[]
  packages?: ScanPackage[]
  findings: Finding[]
  errors: ScanError[]
}
