import { stripeStep } from '../amounts.js';
import { paramErrors } from './errors.js';

/**
 * Stripe's own check of an amount's units (https://docs.stripe.com/currencies#special-cases):
 * ISK and UGX in two decimals ending in 00, three-decimal currencies ending in 0. The ISK answer
 * is Stripe's documented one (support.stripe.com, "Deprecation of fractional ISK charges and
 * refunds"), for charges and refunds alike; UGX follows the same rule and gets the same answer here.
 * For a three-decimal amount not ending in 0 Stripe documents the rule but not its error: the
 * simulator answers a plain 400 on the parameter, which the SDK reads the same way.
 */
export function checkAmountUnits(amount: number, currency: string, param: string): void {
  const code = currency.toUpperCase();
  const step = stripeStep(code);
  if (amount % step === 0) return;
  if (step === 100) {
    throw paramErrors.invalid(
      param,
      `Invalid amount. Currency ${code} has become effectively zero-decimal and charged amounts must be evenly divisible by 100. ` +
        'See https://stripe.com/docs/currencies#special-cases for more information.',
      'invalid_charge_amount_no_decimal_compatible',
    );
  }
  throw paramErrors.invalid(param, `Invalid amount. Amounts in ${code} must have 0 as their last digit. See https://stripe.com/docs/currencies#three-decimal for more information.`);
}
