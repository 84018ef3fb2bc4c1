import type { SimSmppIdForm } from '../../config.js';

/**
 * How the simulator SMSC spells a message id, to reproduce the carriers whose receipts gateways
 * fail to match (network/smpp/ids.ts): one number, written as `decimal` (12107289), `hex`
 * (b8be19), `hex-upper` (00B8BE19: upper case with leading zeros), `padded-decimal`
 * (0000000012107289, to 16) or `padded-hex` (0000000000b8be19, to 16).
 */
export function formatId(n: bigint, form: SimSmppIdForm): string {
  switch (form) {
    case 'decimal':
      return n.toString(10);
    case 'hex':
      return n.toString(16);
    case 'hex-upper': {
      const hex = n.toString(16).toUpperCase();
      return hex.length % 2 === 0 ? `00${hex}` : `0${hex}`;
    }
    case 'padded-decimal':
      return n.toString(10).padStart(16, '0');
    case 'padded-hex':
      return n.toString(16).padStart(16, '0');
  }
}
