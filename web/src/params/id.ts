import type { ParamMatcher } from '@sveltejs/kit';

// Ids are UUIDs in the API; anything that cannot be an id is a 404 before the API is asked.
export const match: ParamMatcher = (param) => /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/.test(param);
