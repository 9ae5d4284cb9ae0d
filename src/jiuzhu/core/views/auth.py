from django.http import HttpResponse


def home(request):
    return HttpResponse("jiuzhu")


def login_view(request):
    return HttpResponse("login")


def locked_out(request, credentials=None, *args, **kwargs):
    return HttpResponse("locked", status=429)
