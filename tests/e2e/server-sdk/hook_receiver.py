"""A webhook receiver for the server-SDK suite: answers 200 to every POST and appends the
request (headers that matter and the exact body) as one JSON line to a file, which the Python
and Node tests read and verify with their SDK's WebhookReceiver.

Usage: python hook_receiver.py --port 7890 --out hooks.jsonl
"""

import argparse
import json

from aiohttp import web


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = open(args.out, "a", buffering=1)

    async def hook(request: web.Request) -> web.Response:
        body = await request.text()
        out.write(json.dumps({
            "path": request.path,
            "content_type": request.headers.get("Content-Type", ""),
            "authorization": request.headers.get("Authorization", ""),
            "body": body,
        }) + "\n")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{tail:.*}", hook)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
