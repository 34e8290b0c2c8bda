/** What to show for a failure: an Error's message (the API client's carry the hub's), else the value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
