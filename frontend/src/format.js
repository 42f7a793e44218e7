// Number formatting shared by the status line, the history list and the history view.

/** A score as the server's templates show it (floatformat:"-2"): 10 -> "10", 8.0833 -> "8.08". */
export function formatScore(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const number = Number(value);
  return Number.isInteger(number) ? String(number) : number.toFixed(2);
}
