/** A phone number safe to log or return: country and area code, then the last four digits (`+1415***0123`). */
export function maskPhoneNumber(phoneNumber: string): string {
  if (phoneNumber.length < 9) return '***';
  return `${phoneNumber.slice(0, 5)}***${phoneNumber.slice(-4)}`;
}
