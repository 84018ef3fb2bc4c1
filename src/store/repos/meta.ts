/** Small gateway-wide settings kept in the store (the `meta` table), e.g. the admin token's hash. */
export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Writes the value only when the key is absent; true when this call wrote it. */
  setIfAbsent(key: string, value: string): Promise<boolean>;
}
