/**
 * Callback URLs no subscription may name unless WEBHOOK_ALLOW_PRIVATE_TARGETS: plain http, and every
 * class of address that is not public unicast, in the spellings an attacker would try.
 */
export const refusedCallbacks: readonly string[] = [
  'http://flows.example.com/hook',
  'http://127.0.0.1:9000/hook',
  'https://10.1.2.3/hook',
  'https://172.16.0.1/hook',
  'https://192.168.1.1/hook',
  'https://127.0.0.1/hook',
  'https://2130706433/hook', // 127.0.0.1, spelt as one number
  'https://169.254.169.254/latest/meta-data/',
  'https://100.64.0.1/hook',
  'https://0.0.0.0/hook',
  'https://224.0.0.1/hook',
  'https://255.255.255.255/hook',
  'https://[::1]/hook',
  'https://[fe80::1]/hook',
  'https://[fc00::1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://[::ffff:169.254.169.254]/hook',
  'https://[::127.0.0.1]/hook', // IPv4-compatible, deprecated
  'https://[64:ff9b::a9fe:a9fe]/hook', // NAT64 of 169.254.169.254
  'https://localhost/hook',
  'https://LocalHost./hook',
  'https://api.localhost/hook',
];
