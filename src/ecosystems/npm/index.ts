import type { Ecosystem } from '../types.js'
import { extract, matches } from './extract.js'
import { npmVersioning } from './versioning.js'

export const npm: Ecosystem = {
  id: 'npm',
  matches,
  extract,
  versions: npmVersioning,
}
