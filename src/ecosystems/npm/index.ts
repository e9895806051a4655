import type { Ecosystem } from '../types.js'
import { pinPackageJson, removeFromPackageJson } from './edit.js'
import { extract, matches } from './extract.js'
import { npmVersioning } from './versioning.js'

export const npm: Ecosystem = {
  id: 'npm',
  matches,
  extract,
  versions: npmVersioning,
  pin: pinPackageJson,
  remove: removeFromPackageJson,
}
