import { stringify, type Stringifier } from 'csv-stringify';

/**
 * The one way the platform writes CSV, for spreadsheet programs (Excel, LibreOffice, Google Sheets): UTF-8 with a BOM
 * so they read Vietnamese, CRLF records, every text cell quoted, and formulas escaped by OWASP's CSV injection rule
 * (csv-stringify's `escape_formulas`): a cell that starts with =, +, -, @, a tab or a carriage return (or their
 * full-width forms) gets a leading apostrophe, so a participant's "=HYPERLINK(…)" is shown as text, never run.
 * Numbers are written as numbers (a negative number is not a formula). XLSX needs none of this: its cells are typed,
 * and a string cell is never evaluated.
 */
export function spreadsheetCsv(): Stringifier {
  return stringify({ bom: true, record_delimiter: '\r\n', quoted_string: true, escape_formulas: true });
}
