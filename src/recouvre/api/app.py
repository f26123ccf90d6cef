from ninja import NinjaAPI

api = NinjaAPI(title="recouvre", version="1", urls_namespace="api")
