import type { Ecosystem } from '../types.js'
import { pinPypi, removePypi } from './edit.js'
import { extract, matches } from './extract.js'
import { pypiVersioning } from './versioning.js'

export const pypi: Ecosystem = {
  id: 'PyPI',
  matches,
  extract,
  versions: pypiVersioning,
  pin: pinPypi,
  remove: removePypi,
}
