// Everything built on HTTP speaks Core's types (JSON, Cents, Clock, Logger): one import
// brings both, so a feature module names HTTP alone.
@_exported import Core
