/**
 * One rule for every backend: a refusal of the data is `backend_rejected` (permanent: the forwarder
 * splits the batch and dead-letters what stays refused), whatever raised it and on whichever thread;
 * anything else is left as it is (transient: retried).
 */
import { EarshotError } from '../errors.ts';
import { CoreError, isDataError } from '../../supabase/functions/_shared/errors.ts';

/**
 * Input the core or the database refuses can never succeed: report it as `backend_rejected`, with the
 * database's reason and SQLSTATE (the forwarder splits the batch and dead-letters what stays refused).
 */
export async function rejectBadData<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asRejection(error);
  }
}

/**
 * `backend_rejected` for a refusal of the data (a CoreError, SQLSTATE class 22 or 23, also as rebuilt
 * from another thread), with the reason and SQLSTATE; any other error unchanged (it is transient).
 */
export function asRejection(error: unknown): unknown {
  if (error instanceof EarshotError && error.code === 'backend_rejected') return error;
  if (error instanceof CoreError || isDataError(error)) {
    const code = (error as { code?: string }).code;
    return new EarshotError('backend_rejected', (error as Error).message, { code }, { cause: error });
  }
  return error;
}
