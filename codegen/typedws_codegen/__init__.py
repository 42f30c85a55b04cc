"""typedws-codegen: typed Python and TypeScript clients from a typedws AsyncAPI document.

The generators read only the exported document (a file or a URL); they never import Django or
typedws, so a frontend's build can run them anywhere::

    typedws-codegen python asyncapi.json -o api_client.py
    typedws-codegen typescript http://localhost:8000/typedws/asyncapi.json -o src/api.ts
"""

from .contract import Action, Contract, ContractError, Stream, load_contract

__all__ = ["Action", "Contract", "ContractError", "Stream", "load_contract"]
