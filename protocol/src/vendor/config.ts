/** The one place vigil-vendor reads the environment: defaults for `push`. */
export interface VendorEnv {
  /** VIGIL_VENDOR_TOKEN: keeps the token out of the process list. */
  token?: string
  /** VIGIL_HUB_URL */
  hubUrl?: string
}

export function loadVendorEnv(env: NodeJS.ProcessEnv = process.env): Readonly<VendorEnv> {
  const out: VendorEnv = {}
  if (env.VIGIL_VENDOR_TOKEN) out.token = env.VIGIL_VENDOR_TOKEN
  if (env.VIGIL_HUB_URL) out.hubUrl = env.VIGIL_HUB_URL
  return Object.freeze(out)
}
