/** A CVSS vector that cannot be parsed or scored; the message names the metric at fault. */
export class CvssError extends Error {
  override name = 'CvssError'
}
