"""Writing large frames to Parquet a slice at a time, so that converting to Arrow never holds a second
copy of the whole corpus in memory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

ROWS_PER_GROUP = 10_000


def write_parquet(data: pd.DataFrame | pa.Table, path: Path, rows: int = ROWS_PER_GROUP) -> None:
    """Write a DataFrame or an Arrow table to ``path`` (zstd) in row groups of ``rows``; a DataFrame is
    converted a slice at a time. (Cache entries get this through :func:`directives.cache.write_entry`,
    which makes the write atomic.)

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x.parquet"
    >>> write_parquet(pd.DataFrame({"a": [1, 2, 3]}), p, rows=2); pd.read_parquet(p).a.tolist()
    [1, 2, 3]
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, pa.Table):
        pq.write_table(data, path, compression="zstd", row_group_size=rows)
    else:
        schema = pa.Schema.from_pandas(data.iloc[:0], preserve_index=False)
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for start in range(0, len(data), rows):
                part = data.iloc[start : start + rows]
                writer.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
