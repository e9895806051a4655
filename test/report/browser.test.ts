import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildReportView, renderReport } from '../../src/report/index.js'
import { remediationJournal, writeRun } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let tmp: string

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firebreak-report-browser-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

// .ci/run installs Debian's chromium; in CI a missing browser fails the test rather than skipping it.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('report.html in headless Chromium', () => {
  it('shows the incident, the repositories and the figures, and loads nothing from outside', async () => {
    const view = buildReportView(writeRun(tmp, remediationJournal()), { now: new Date('2025-09-08T15:00:00Z') })
    const file = join(tmp, 'report.html')
    writeFileSync(file, renderReport(view, { format: 'html' }))

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
      const requests: string[] = []
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url())
      })
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`file://${file}`)

      await expect.poll(() => page.title()).toBe('Incident report: MAL-2025-46969')
      const heading = await page.locator('h1').innerText()
      expect(heading).toContain('MAL-2025-46969')
      expect(heading).toContain('chalk')
      expect(await page.locator('[data-figure="scanned"]').innerText()).toBe('6')
      expect(await page.locator('[data-figure="affected"]').innerText()).toBe('4')
      expect(await page.locator('[data-figure="remediated"]').innerText()).toBe('2')
      expect(await page.locator('[data-figure="indicators"]').innerText()).toBe('2')
      expect(await page.locator('section.repo[data-repo="api"] h3').innerText()).toMatch(/api\s+affected/)
      expect(await page.locator('#affected table tbody tr').count()).toBe(4)
      expect(await page.locator('svg.chart').isVisible()).toBe(true)
      expect(await page.locator('#risks li.high').count()).toBeGreaterThanOrEqual(3)
      expect(requests).toEqual([])
      expect(errors).toEqual([])

      const shots = join(root, 'test', '.tmp')
      mkdirSync(shots, { recursive: true })
      await page.screenshot({ path: join(shots, 'report.png'), fullPage: true })
      // Printing lays the page out for paper without failing.
      const pdf = await page.pdf({ format: 'A4' })
      expect(pdf.subarray(0, 4).toString()).toBe('%PDF')
    } finally {
      await browser.close()
    }
  })
})
