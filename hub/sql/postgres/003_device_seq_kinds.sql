-- Per-device sequence per message kind (store README, "Per-device sequence applied in the database"):
-- the last applied seq of each kind of the device's messages, e.g. {"state": 12, "inventory": 11}, in
-- the epoch of `seq_epoch`. A write of the device row is refused when the stored row has applied a
-- newer message of a kind than the write says it holds: an older message's state never overwrites a
-- newer one's of the same kind, whichever hub writes last, while an older message of ANOTHER kind (a
-- slow inventory after a quick state) is still applied to the fresh row.
ALTER TABLE vigil_collections ADD COLUMN seq_kinds jsonb;
UPDATE vigil_collections SET seq_kinds = doc::jsonb -> 'seq' -> 'kinds'
  WHERE collection = 'devices' AND jsonb_typeof(doc::jsonb -> 'seq' -> 'kinds') = 'object';
