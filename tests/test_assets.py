from assets import external_assets


def test_external_assets_are_found_and_local_ones_and_tokens_are_not():
    html = """
    <script src="/static/vendor/echarts.min.js"></script>
    <link rel="stylesheet" href="https://cdn.example.com/swagger.css">
    <script defer src='//unpkg.com/htmx.org'></script>
    <img alt="" src="/static/logo.png">
    <body hx-headers='{"X-CSRFToken": "cdnnszfm8ko7"}'>
    <a href="https://www.gov.cn/">not loaded, only linked</a>
    """
    assert external_assets(html) == ["https://cdn.example.com/swagger.css", "//unpkg.com/htmx.org"]
