/** Help of `vigil-hub trust` (kept apart so the CLI table loads no signing code). */
export const TRUST_HELP = `Usage:
  vigil-hub trust init --out DIR [--keys 3] [--threshold 2] [--expires-days 1095] [--hub URL --token=ADMIN_TOKEN]
  vigil-hub trust delegate --vendor NAME --key K1.pem [--key K2.pem …] [--out FILE] [--hub URL --token=ADMIN_TOKEN]

init      creates the operator root: N Ed25519 keys in DIR (root-N.pem, mode 0600; root-N.pub.pem), the
          root signed by all of them (DIR/root-v1.dsse.json), prints its fingerprint, and installs it on
          the hub (--hub: the running one; else the data directory VIGIL_DATA_DIR of a stopped hub).
          Give each administrator one root-N.pem and remove the others from this machine.
delegate  signs the delegation of the vendor's current registered keys (as the hub shows them; NAME as
          in the dashboard) with the root keys given (at least the root threshold) and publishes it:
          online devices get it at once, the others at their next birth.
The token may come from VIGIL_ADMIN_TOKEN. Exit codes: 0 done, 1 refused by the hub, 2 usage or I/O error.`
