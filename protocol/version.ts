/** The wire protocol's version. Bumped on any incompatible change to a method's params or result. */
export const PROTOCOL_VERSION = '1.0';

/** The server name reported by `initialize`. */
export const SERVER_NAME = 'plugd';
