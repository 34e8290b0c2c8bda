/** Defaults needed at run time without the config schema (which loads TypeBox). */
export const DEFAULT_STATE_DIR = '/var/lib/vigil-agent'
