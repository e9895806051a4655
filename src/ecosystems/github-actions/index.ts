import type { Ecosystem } from '../types.js'
import { pinAction } from './edit.js'
import { extract, matches } from './extract.js'
import { actionsVersioning } from './versioning.js'

export const githubActions: Ecosystem = {
  id: 'GitHub Actions',
  matches,
  extract,
  versions: actionsVersioning,
  pin: pinAction,
}
