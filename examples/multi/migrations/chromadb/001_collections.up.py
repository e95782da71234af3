#!/usr/bin/env python3
"""Create the vector collections (safe to run again)."""
import os

import chromadb

client = chromadb.HttpClient(host=os.environ["CHROMA_HOST"])
for name in ("memories", "documents"):
    client.get_or_create_collection(name)
    print("collection", name, "ready")
