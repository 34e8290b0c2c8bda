/**
 * The well-known public feeds a fresh hub offers, off until an admin enables them (a hub never phones
 * out unasked).
 */
import type { FeedRecord } from './db.js'

export const PRESETS: Omit<FeedRecord, 'enabled' | 'preset' | 'createdAt'>[] = [
  {
    id: 'preset-cisa-csaf',
    kind: 'csaf-provider',
    name: 'CISA CSAF (ICS and medical advisories)',
    url: 'https://www.cisa.gov/sites/default/files/csaf/provider-metadata.json',
    intervalMinutes: 360,
  },
  {
    id: 'preset-osv-linux',
    kind: 'osv',
    name: 'OSV: Debian, Ubuntu, Alpine',
    url: 'https://osv-vulnerabilities.storage.googleapis.com',
    ecosystems: ['Debian', 'Ubuntu', 'Alpine'],
    intervalMinutes: 360,
  },
  {
    id: 'preset-kev',
    kind: 'kev',
    name: 'CISA Known Exploited Vulnerabilities',
    url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    intervalMinutes: 720,
  },
  {
    id: 'preset-epss',
    kind: 'epss',
    name: 'FIRST EPSS scores (daily)',
    url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
    intervalMinutes: 1440,
  },
]
