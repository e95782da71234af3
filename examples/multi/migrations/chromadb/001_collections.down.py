#!/usr/bin/env python3
"""Drop the vector collections."""
import os

import chromadb

client = chromadb.HttpClient(host=os.environ["CHROMA_HOST"])
for name in ("memories", "documents"):
    try:
        client.delete_collection(name)
    except ValueError:
        pass
