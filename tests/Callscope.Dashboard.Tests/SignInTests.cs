using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Dashboard.Tests;

public sealed partial class SignInTests(BrowserFixture browser) : DashboardTest(browser)
{
    private readonly BrowserFixture browsers = browser;

    [Fact]
    public async Task A_member_signs_in_with_email_and_password_and_signs_out_again()
    {
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await ScreenshotAsync("signin");

        await Page.GetByLabel("Email").FillAsync(CallscopeApp.AdminEmail);
        await Page.GetByLabel("Password").FillAsync("not-the-password");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The email address or the password is not right.");

        await Page.GetByLabel("Password").FillAsync(CallscopeApp.AdminPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Banner)).ToContainTextAsync("Test team");
        await Expect(Page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true })).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task Signing_out_ends_the_sign_in_in_another_browser_holding_a_copy_of_the_cookie()
    {
        await SignInAsync();
        var copied = await Page.Context.CookiesAsync();
        var other = await browsers.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = new Uri(Page.Url).GetLeftPart(UriPartial.Authority) });
        try
        {
            await other.AddCookiesAsync(copied.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
            var copy = await other.NewPageAsync();
            await copy.GotoAsync("/");
            await Expect(copy.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();

            await SignOutAsync();

            await copy.GotoAsync("/");
            await Expect(copy).ToHaveURLAsync(SignInUrl());
            await Expect(copy.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        }
        finally
        {
            await other.CloseAsync();
        }
    }

    [GeneratedRegex(@"/signin\?ReturnUrl=%2F$")]
    private static partial Regex SignInUrl();
}
