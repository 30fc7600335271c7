"""Microsoft Graph, behind the product's own small interface (see client.GraphClient)."""
